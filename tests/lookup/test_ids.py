"""Lookup record ids are UUID version 7: ordered by time, unique within a millisecond."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from app.lookup.ids import uuid7, uuid7_hexes


def test_uuid7_has_version_7_and_the_rfc_variant() -> None:
    made = uuid7(datetime(2026, 11, 25, 12, 0, tzinfo=UTC))
    assert made.version == 7
    assert made.variant == "specified in RFC 4122"


def test_uuid7_sorts_by_time_and_differs_within_a_millisecond() -> None:
    start = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    later = [uuid7(start + timedelta(milliseconds=n)) for n in range(0, 50, 7)]
    assert later == sorted(later)
    same_instant = {uuid7(start) for _ in range(1000)}
    assert len(same_instant) == 1000
    assert all(str(u).startswith(str(later[0])[:13]) for u in same_instant)


def test_uuid7_hexes_makes_many_distinct_version_7_ids_for_one_moment() -> None:
    at = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    hexes = uuid7_hexes(at, 1000)
    assert all(len(h) == 32 for h in hexes)
    made = [uuid.UUID(h) for h in hexes]
    assert len(set(made)) == 1000
    assert {u.version for u in made} == {7}
    assert {str(u)[:13] for u in made} == {str(uuid7(at))[:13]}  # the same millisecond
    assert uuid7_hexes(at, 0) == []
