"""Identifier fields for request models: checked by `identifiers.py`, refused with its stable
code (`invalid_id_number`, `invalid_uscc`) and Chinese message, never echoing the value."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from app.registry.identifiers import IdentifierError, validate_id_number, validate_uscc


def _checked_id_number(value: str) -> str:
    try:
        return validate_id_number(value)
    except IdentifierError as exc:
        raise PydanticCustomError(exc.code, exc.message_zh) from None


def _checked_uscc(value: str) -> str:
    try:
        return validate_uscc(value)
    except IdentifierError as exc:
        raise PydanticCustomError(exc.code, exc.message_zh) from None


IdNumber = Annotated[str, AfterValidator(_checked_id_number)]
Uscc = Annotated[str, AfterValidator(_checked_uscc)]
