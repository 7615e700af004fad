"""Page-numbered listings: the query parameters every list accepts, and the cut."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

T = TypeVar("T")
# Beyond this an offset is no use to a person and only a way to overflow the database's integers.
MAX_PAGE = 1_000_000

PageNumber = Annotated[int, Query(ge=1, le=MAX_PAGE, description="1-based page number")]
PageSize = Annotated[int, Query(ge=1, le=200, description="items per page")]


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    total: int
    page: int
    page_size: int


def paginate(session: Session, query: Select[Any], *, page: int, page_size: int) -> Page[Any]:
    """One page of `query` (scalars) and the total count, in two statements."""
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    items = session.scalars(query.offset((page - 1) * page_size).limit(page_size)).all()
    return Page(items=items, total=total or 0, page=page, page_size=page_size)
