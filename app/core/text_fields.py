"""Text fields for request models: refused with the contract's `id_number_in_text` or
`invalid_text` and a Chinese message (the problem handler passes the code through)."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from app.core.errors import InvalidInput, field_error
from app.core.free_text import TextError, check_free_text, check_plain_line


def checked_text(field: str, value: str, *, multi_line: bool = False) -> str:
    """The same check for a value that reaches a service without a request model."""
    try:
        return check_free_text(value, multi_line=multi_line)
    except TextError as exc:
        errors = [field_error(field, exc.code, exc.message_zh)]
        raise InvalidInput(exc.message_zh, errors=errors, code=exc.code) from None


def _single_line(value: str) -> str:
    return _checked(value, multi_line=False)


def _multi_line(value: str) -> str:
    return _checked(value, multi_line=True)


def _checked(value: str, *, multi_line: bool) -> str:
    try:
        return check_free_text(value, multi_line=multi_line)
    except TextError as exc:
        raise PydanticCustomError(exc.code, exc.message_zh) from None


def _plain_line(value: str) -> str:
    try:
        return check_plain_line(value)
    except TextError as exc:
        raise PydanticCustomError(exc.code, exc.message_zh) from None


# For `Annotated` types that add constraints of their own (after any stripping).
CHECK_LINE = AfterValidator(_single_line)
# Not free text (a username, a code), but never a control character either.
CHECK_PLAIN = AfterValidator(_plain_line)
CHECK_NOTE = AfterValidator(_multi_line)
# A name, title, reason...: one line.
FreeText = Annotated[str, CHECK_LINE]
# Notes and descriptions: tabs and line breaks allowed.
NoteText = Annotated[str, CHECK_NOTE]
