"""Free text that people type: never an ID number, never a control character.

One checker for every text field of a request and every text cell of a submission file
(contract: `id_number_in_text`, `invalid_text`). Pure: text in, an answer out.

What counts as ID-shaped (GB 11643 numbers, 18 characters), in any spelling:
- full-width digits and Ｘ/ｘ, a lowercase x, and spaces or hyphens (up to three such
  characters) between any two of its characters, as in `340102 19800101 001X` or
  `340102-1980-0101-001x`;
- 17 digits and a digit or X whose characters 7-14 are a calendar date in 1900-2099; the
  check character is not required (a mistyped number is still a person's number);
- when those 18 characters stand inside a longer run of digits, the check character must
  also be right, so long account or serial numbers are not refused for a chance date.
A run of fewer than 17 digits is never ID-shaped (`购房资格审核 2026-118`), nor is a
unified social credit code with its letters (`91340100MA2N...`). An all-digit credit code
could only match if its division code ended in 19 or 20 and its next digits read as a date.
Old 15-digit numbers are not looked for: they have been void since 2013.
"""

from __future__ import annotations

import re
from datetime import date

_DIGIT = "0-9０-９"
_SEPARATOR = r"[\s\-‐‑–—－]{0,3}"
# The cheap gate (the lookup's `purpose` is checked on every lookup): 17 digits at least.
_ANY_DIGIT = re.compile(f"[{_DIGIT}]")
# A maximal run of digits (with separators), ending in an optional X.
_RUN = re.compile(rf"(?<![{_DIGIT}])[{_DIGIT}](?:{_SEPARATOR}[{_DIGIT}])*(?:{_SEPARATOR}[XxＸｘ])?")
_TO_ASCII = str.maketrans("０１２３４５６７８９ｘＸx", "0123456789XXX")
_NOT_ID_CHARACTER = re.compile(r"[^0-9X]")
_CONTROL_SINGLE_LINE = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_MULTI_LINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
ID_LENGTH = 18
# The codes this module refuses with (contract: "Free text never carries an ID number").
TEXT_CODES = frozenset({"id_number_in_text", "invalid_text"})
# GB 11643's check (ISO 7064 MOD 11-2). Kept here, not taken from `registry.identifiers`:
# the ground floor imports no domain, and the audit chain masks with this module.
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARACTERS = "10X98765432"


class TextError(ValueError):
    """Text a person must correct: the contract's `code` and a Chinese message."""

    def __init__(self, code: str, message_zh: str) -> None:
        super().__init__(message_zh)
        self.code = code
        self.message_zh = message_zh


def check_plain_line(text: str) -> str:
    """Return `text` (a username, a code: not free text), or raise `TextError`
    (`invalid_text`) when it holds a control character."""
    if _CONTROL_SINGLE_LINE.search(text):
        raise TextError("invalid_text", "不能包含控制字符（如换页、响铃等不可见字符）")
    return text


def check_free_text(text: str, *, multi_line: bool = False) -> str:
    """Return `text`, or raise `TextError` (`invalid_text`, `id_number_in_text`)."""
    control = _CONTROL_MULTI_LINE if multi_line else _CONTROL_SINGLE_LINE
    if control.search(text):
        raise TextError("invalid_text", "不能包含控制字符（如换页、响铃等不可见字符）")
    if contains_id_number(text):
        raise TextError("id_number_in_text", "不能包含身份证号，请删去后重新填写")
    return text


def contains_id_number(text: str) -> bool:
    if _too_few_digits(text):
        return False
    return any(_id_span(match.group()) is not None for match in _RUN.finditer(text))


def mask_id_shaped(text: str) -> str:
    """`text` with each ID-shaped number masked (`340102**********1X`), for messages and logs."""
    if _too_few_digits(text):
        return text
    return _RUN.sub(_masked_run, text)


def _too_few_digits(text: str) -> bool:
    return len(text) < ID_LENGTH or len(_ANY_DIGIT.findall(text)) < ID_LENGTH - 1


def _masked_run(match: re.Match[str]) -> str:
    run = match.group()
    span = _id_span(run)
    if span is None:
        return run
    # The whole run goes: its other digits may be the rest of the same number.
    number = _compact(run)[span : span + ID_LENGTH]
    return number[:6] + "*" * 10 + number[-2:]


def _id_span(run: str) -> int | None:
    """Where an ID-shaped number starts in the compacted run, or None."""
    digits = _compact(run)
    if len(digits) < ID_LENGTH:
        return None
    exact = len(digits) == ID_LENGTH
    for start in range(len(digits) - ID_LENGTH + 1):
        candidate = digits[start : start + ID_LENGTH]
        if "X" in candidate[:17] or not _has_birth_date(candidate):
            continue
        if exact or candidate[17] == _check_character(candidate):
            return start
    return None


def _compact(run: str) -> str:
    return _NOT_ID_CHARACTER.sub("", run.translate(_TO_ASCII))


def _check_character(candidate: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(candidate, _WEIGHTS, strict=False))
    return _CHECK_CHARACTERS[total % 11]


def _has_birth_date(candidate: str) -> bool:
    if candidate[6:8] not in ("19", "20"):
        return False
    year, month, day = int(candidate[6:10]), int(candidate[10:12]), int(candidate[12:14])
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True
