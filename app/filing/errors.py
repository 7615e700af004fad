"""The filing domain's refusals of bad input: one field, one code, one Chinese message."""

from __future__ import annotations

from app.core.errors import InvalidInput, field_error


def invalid_field(field: str, code: str, message: str) -> InvalidInput:
    """A 422 whose `code` is the field's own code, so clients need not dig into `errors`."""
    return InvalidInput(message, code=code, errors=[field_error(field, code, message)])
