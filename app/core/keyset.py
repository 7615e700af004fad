"""Cursor-paged listings for tables that grow without bound (beside `paging`, which numbers
pages of bounded ones): a page is one range read along an index, with no OFFSET to skip and
no count of the whole table, and its cursor names the last item so the next page starts
right after it. Rows inserted between two pages never shift or repeat what is shown.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from sqlalchemy import ColumnElement, Select, and_, or_
from sqlalchemy.orm import InstrumentedAttribute, Session

from app.core.errors import InvalidInput, field_error

T = TypeVar("T")

Cursor = Annotated[
    str | None,
    Query(max_length=512, description="`next_cursor` of the previous page; absent for the first"),
]


@dataclass(frozen=True)
class Key:
    """One column of a listing's order; the columns together must be unique (end with the id)."""

    column: InstrumentedAttribute[Any]
    descending: bool = False


@dataclass(frozen=True)
class Slice(Generic[T]):
    items: Sequence[T]
    next_cursor: str | None  # None on the last page

    @property
    def has_more(self) -> bool:
        return self.next_cursor is not None


def keyset_page(
    session: Session, query: Select[Any], keys: Sequence[Key], *, cursor: str | None, limit: int
) -> Slice[Any]:
    """Up to `limit` entities of `query` (scalars) in the order of `keys`, after `cursor`."""
    if cursor is not None:
        query = query.where(_after(keys, decode_cursor(cursor, keys)))
    order = [key.column.desc() if key.descending else key.column.asc() for key in keys]
    rows = session.scalars(query.order_by(*order).limit(limit + 1)).all()
    if len(rows) <= limit:
        return Slice(rows, None)
    last = rows[limit - 1]
    return Slice(rows[:limit], encode_cursor([getattr(last, key.column.key) for key in keys]))


def _after(keys: Sequence[Key], values: Sequence[Any]) -> ColumnElement[bool]:
    def beyond(key: Key, value: Any) -> ColumnElement[bool]:
        bound: ColumnElement[bool] = key.column < value if key.descending else key.column > value
        return bound

    condition = beyond(keys[-1], values[-1])
    for key, value in zip(reversed(keys[:-1]), reversed(values[:-1]), strict=True):
        condition = or_(beyond(key, value), and_(key.column == value, condition))
    # The leading column's bound alone, so the database reads a range of its index.
    lead, first = keys[0], values[0]
    return and_(lead.column <= first if lead.descending else lead.column >= first, condition)


def encode_cursor(values: Sequence[Any]) -> str:
    plain = [v.isoformat() if isinstance(v, datetime) else v for v in values]
    raw = json.dumps([str(v) if isinstance(v, uuid.UUID) else v for v in plain])
    return base64.urlsafe_b64encode(raw.encode()).rstrip(b"=").decode("ascii")


def decode_cursor(cursor: str, keys: Sequence[Key]) -> list[Any]:
    """The cursor's values typed as its columns; 422 `invalid_cursor` for anything else."""
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(raw, list) or len(raw) != len(keys):
            raise ValueError("wrong shape")
        return [_typed(key, value) for key, value in zip(keys, raw, strict=True)]
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError) as exc:
        message = "分页游标无效，请从第一页重新获取"
        raise InvalidInput(
            message,
            code="invalid_cursor",
            errors=[field_error("cursor", "invalid_cursor", message)],
        ) from exc


def _typed(key: Key, value: Any) -> Any:
    column_type = key.column.type
    # A decorated type (UTCDateTime) names its Python type through the type it wraps.
    kind = getattr(column_type, "impl_instance", column_type).python_type
    if kind is datetime:
        moment = datetime.fromisoformat(str(value))
        if moment.tzinfo is None:
            raise ValueError("naive datetime")
        return moment
    if kind is uuid.UUID:
        return uuid.UUID(str(value))
    if kind is int and (type(value) is not int or abs(value) >= 2**63):
        raise ValueError("not a database integer")
    if kind is str and not isinstance(value, str):
        raise ValueError("not a string")
    return value
