"""The words and values that cells may hold, and how to read them.

Each coded field accepts its code or its Chinese word (the contract's table), so a clerk can
fill a spreadsheet in Chinese and a city system can write codes. The words of the lists the
province extends (categories, relations, exit reasons) come from its reference rows
(`rows.code_words`).
"""

from __future__ import annotations

import re
from datetime import datetime

from app.core.free_text import mask_id_shaped
from app.filing.file_format import ACTION_ZH, Action
from app.filing.parsers.base import RawValue, Scalar
from app.filing.parsers.columns import NO, YES
from app.registry.codes import SKILL_LEVEL_ZH, SkillLevel
from app.registry.identifiers import mask_id_number

ACTION_WORDS = {**{a.value: a for a in Action}, **{zh: a for a, zh in ACTION_ZH.items()}}
SKILL_WORDS = {**{s.value: s for s in SkillLevel}, **{zh: s for s, zh in SKILL_LEVEL_ZH.items()}}
FLAG_WORDS = {YES: True, NO: False}
_YEAR = re.compile(r"([0-9]{4})年?")
# Echoed cell text could be an ID number typed in the wrong column.
_LONG_NUMBER = re.compile(r"[0-9]{10,}[0-9Xx]?")


def as_list(value: RawValue) -> list[Scalar]:
    if isinstance(value, list):
        return value
    return [] if value is None else [value]


def is_present(value: RawValue) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def as_year(value: RawValue) -> int | None:
    if isinstance(value, bool | list):
        return None
    if isinstance(value, datetime):
        return value.year
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, int):
        return value
    match = _YEAR.fullmatch(str(value).strip())
    return int(match.group(1)) if match else None


def quoted(text: str) -> str:
    """Cell text fit to quote in a message: ID-shaped text (in any spelling) and long digit
    runs masked, at most 30 characters."""
    masked = _LONG_NUMBER.sub(lambda m: mask_id_number(m.group()), mask_id_shaped(text))
    return masked if len(masked) <= 30 else masked[:30] + "…"
