"""Citizen ID numbers (GB 11643-1999) and unified social credit codes (GB 32100-2015).

Pure functions, in the manner of python-stdnum's `stdnum/cn/ric.py`. We do not use
`stdnum.cn.ric.validate` itself: it rejects a number whose region code is missing from its
table of current divisions, but region codes are historical (a person keeps the number
issued where they were born, even after the county was merged or renamed), and it does not
reject birth dates in the future. So we check length, format, birth date and check
character ourselves, and nothing about the region.

Error messages are for a clerk at a counter: they say what is wrong, in Chinese, and never
repeat the number (it is sensitive personal information; show `mask_id_number` instead).
"""

from __future__ import annotations

import operator
import re
from datetime import date
from typing import Literal

ID_LENGTH = 18
EARLIEST_BIRTH_YEAR = 1900

# ISO 7064 MOD 11-2 as GB 11643 states it: weights of the first 17 digits, and the
# character for each remainder of the weighted sum modulo 11.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"
_ASCII_ZERO_WEIGHT = ord("0") * sum(_ID_WEIGHTS)

_ID_PATTERN = re.compile(r"[0-9]{17}[0-9X]")
# GB 32100: 18 characters from this alphabet (no I, O, S, V, Z); characters 3-8 are the
# administrative division code, the 18th is the check character.
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_PATTERN = re.compile(rf"[{_USCC_ALPHABET}]{{2}}[0-9]{{6}}[{_USCC_ALPHABET}]{{10}}")
# Its check: each character's place in the alphabet, weighted by 3^i mod 31 (GB 32100 5.3).
_USCC_VALUES = {character: value for value, character in enumerate(_USCC_ALPHABET)}
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

# Chinese input methods often produce full-width digits and letters.
_FULL_WIDTH = str.maketrans(
    "０１２３４５６７８９ｘＸ",
    "0123456789XX",
)


class IdentifierError(ValueError):
    """An identifier a clerk must correct: a stable `code` and a Chinese `message_zh`.

    `reason` says which part failed (`length`, `format`, `birth_date`, `check_character`).
    """

    code: str = "invalid_identifier"

    def __init__(self, message_zh: str, *, reason: str) -> None:
        super().__init__(message_zh)
        self.message_zh = message_zh
        self.reason = reason


class InvalidIdNumber(IdentifierError):
    code = "invalid_id_number"


class InvalidUscc(IdentifierError):
    code = "invalid_uscc"


def normalize_id_number(raw: str) -> str:
    """Drop all whitespace, turn full-width characters to ASCII and `x` to `X`; no validation."""
    if raw.isascii() and raw.isalnum():  # as nearly every number comes: nothing to drop or turn
        return raw.upper()
    return "".join(raw.translate(_FULL_WIDTH).split()).upper()


def validate_id_number(raw: str, *, today: date | None = None) -> str:
    """Return the normalised number, or raise `InvalidIdNumber` saying what is wrong."""
    number = normalize_id_number(raw)
    if len(number) != ID_LENGTH:
        raise InvalidIdNumber(_length_message(len(number)), reason="length")
    if not _ID_PATTERN.fullmatch(number):
        raise InvalidIdNumber(
            "身份证号格式不正确：前17位应为数字，最后一位应为数字或字母X", reason="format"
        )
    born = _birth_date_or_none(number)
    if born is None:
        raise InvalidIdNumber("身份证号中的出生日期（第7至14位）不是有效日期", reason="birth_date")
    if born > (today or date.today()):
        raise InvalidIdNumber("身份证号中的出生日期晚于今天", reason="birth_date")
    if born.year < EARLIEST_BIRTH_YEAR:
        raise InvalidIdNumber("身份证号中的出生日期早于1900年", reason="birth_date")
    if number[-1] != id_check_character(number[:17]):
        raise InvalidIdNumber(
            "身份证号校验位（第18位）不正确，请核对号码是否有误", reason="check_character"
        )
    return number


def is_valid_id_number(raw: str, *, today: date | None = None) -> bool:
    try:
        validate_id_number(raw, today=today)
    except InvalidIdNumber:
        return False
    return True


def gender_of(id_number: str) -> Literal["M", "F"]:
    """The 17th digit (the end of the sequence number) is odd for men, even for women."""
    number = _well_formed(id_number)
    return "M" if int(number[16]) % 2 == 1 else "F"


def birth_date_of(id_number: str) -> date:
    number = _well_formed(id_number)
    born = _birth_date_or_none(number)
    if born is None:
        raise InvalidIdNumber("身份证号中的出生日期（第7至14位）不是有效日期", reason="birth_date")
    return born


def mask_id_number(raw: str) -> str:
    """Show an ID number without its birth date or sequence: `340102**********1X`.

    Keeps the first 6 and last 2 characters of anything at least 12 characters long (so
    at least 4 are hidden and, for 18 characters, the whole birth date is), else hides all.
    """
    number = normalize_id_number(raw)
    if len(number) < 12:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 8) + number[-2:]


def id_check_character(first17: str) -> str:
    """The 18th character of an ID number whose first 17 digits are `first17`."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError("first17 must be 17 ASCII digits")
    # map() keeps the loop in C: batch lookups check a thousand numbers a request. The
    # digits' bytes stand for the digits (less 48 each, taken off at the end): no int() each.
    total = sum(map(operator.mul, first17.encode("ascii"), _ID_WEIGHTS)) - _ASCII_ZERO_WEIGHT
    return _ID_CHECK_CHARS[total % 11]


def uscc_check_character(first17: str) -> str:
    """The 18th character of a unified social credit code whose first 17 are `first17`
    (characters of the code's alphabet)."""
    total = sum(map(operator.mul, map(_USCC_VALUES.__getitem__, first17), _USCC_WEIGHTS))
    return _USCC_ALPHABET[-total % 31]


def validate_uscc(raw: str) -> str:
    """Return the normalised unified social credit code, or raise `InvalidUscc`."""
    code = "".join(raw.translate(_FULL_WIDTH).split()).upper()
    if len(code) != ID_LENGTH:
        raise InvalidUscc(f"统一社会信用代码应为18位，当前为{len(code)}位", reason="length")
    if not _USCC_PATTERN.fullmatch(code):
        raise InvalidUscc(
            "统一社会信用代码格式不正确：第3至8位应为数字，其余为数字或大写字母"
            "（不使用I、O、S、V、Z）",
            reason="format",
        )
    if code[-1] != uscc_check_character(code[:17]):
        raise InvalidUscc(
            "统一社会信用代码校验位（第18位）不正确，请核对代码是否有误",
            reason="check_character",
        )
    return code


def _length_message(length: int) -> str:
    if length == 15:
        return "身份证号应为18位；15位的第一代身份证号请换用18位号码"
    return f"身份证号应为18位，当前为{length}位"


def _well_formed(id_number: str) -> str:
    number = normalize_id_number(id_number)
    if not _ID_PATTERN.fullmatch(number):
        raise InvalidIdNumber("身份证号格式不正确", reason="format")
    return number


def _birth_date_or_none(number: str) -> date | None:
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None
