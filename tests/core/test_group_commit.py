"""Group commit on a real database: items that arrive together are handed to their handler
in one transaction, each caller gets its own result or error, and a database error takes
the group down whole."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.exc import IntegrityError

from app.core.db import connection_scope, get_engine
from app.core.group_commit import MAX_GROUP, Outcome, in_group


@pytest.fixture
def scratch(fresh_database_url: str) -> Iterator[None]:
    with get_engine().begin() as connection:
        connection.execute(text("CREATE TABLE scratch (id INTEGER PRIMARY KEY, note TEXT)"))
    yield


Work = Callable[[Connection], None]


def run_each(connection: Connection, works: list[Work]) -> list[Outcome]:
    """A handler running each work in turn, its refusal its caller's alone; each answered
    with a token of the group's transaction: equal tokens mean a shared transaction."""
    token = uuid.uuid4()
    outcomes: list[Outcome] = []
    for work in works:
        try:
            work(connection)
        except ValueError as exc:
            outcomes.append((False, exc))
        else:
            outcomes.append((True, token))
    return outcomes


def insert(row_id: int) -> Work:
    def work(connection: Connection) -> None:
        connection.execute(text("INSERT INTO scratch (id, note) VALUES (:id, 'x')"), {"id": row_id})

    return work


def refused(connection: Connection) -> None:
    raise ValueError("refused before writing")


def stored_ids() -> set[int]:
    with connection_scope() as connection:
        return set(connection.execute(text("SELECT id FROM scratch")).scalars())


async def together(*works: Work) -> list[Any]:
    """Submit the works at the same moment; collect results and errors in order."""
    calls = [in_group(work, run_each, connection_scope) for work in works]
    return await asyncio.gather(*calls, return_exceptions=True)


def test_works_that_arrive_together_share_one_transaction(scratch: None) -> None:
    outcomes = asyncio.run(together(*(insert(n) for n in range(20))))

    assert len(set(outcomes)) <= 2  # grouped, where one transaction each would make 20
    assert stored_ids() == set(range(20))


def test_a_work_that_fails_fails_alone(scratch: None) -> None:
    outcomes = asyncio.run(together(insert(1), refused, insert(2)))

    assert isinstance(outcomes[1], ValueError)
    assert not isinstance(outcomes[0], BaseException)
    assert not isinstance(outcomes[2], BaseException)
    assert stored_ids() == {1, 2}


def test_a_database_error_fails_the_whole_group(scratch: None) -> None:
    outcomes = asyncio.run(together(insert(1), insert(2), insert(2), insert(3)))

    assert all(isinstance(outcome, IntegrityError) for outcome in outcomes)
    assert stored_ids() == set()


def test_groups_follow_one_another_and_each_call_is_answered(scratch: None) -> None:
    async def waves() -> list[Any]:
        first = together(*(insert(n) for n in range(5)))
        await asyncio.sleep(0)
        second = together(*(insert(n) for n in range(5, 5 + 2 * MAX_GROUP)))
        return [*await first, *await second]

    outcomes = asyncio.run(waves())

    assert not any(isinstance(outcome, BaseException) for outcome in outcomes)
    assert len(set(outcomes)) >= 3  # the second wave is more than one group can hold
    assert stored_ids() == set(range(5 + 2 * MAX_GROUP))
