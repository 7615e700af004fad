"""`time_ordered_uuid`: RFC 9562 version 7, so ids taken in turn sort in turn."""

from __future__ import annotations

import time
import uuid

from app.core.types import time_ordered_uuid


def test_it_is_a_version_7_uuid_stamped_with_the_time_in_milliseconds() -> None:
    before = time.time_ns() // 1_000_000
    made = time_ordered_uuid()
    after = time.time_ns() // 1_000_000

    assert made.version == 7
    assert made.variant == uuid.RFC_4122
    assert before <= made.int >> 80 <= after


def test_ids_taken_a_millisecond_apart_sort_in_the_order_taken() -> None:
    taken = []
    for _ in range(20):
        taken.append(time_ordered_uuid())
        time.sleep(0.002)

    assert sorted(taken) == taken
    assert sorted(str(made) for made in taken) == [str(made) for made in taken]  # as CHAR(32)


def test_ids_taken_in_one_millisecond_still_differ() -> None:
    assert len({time_ordered_uuid() for _ in range(10_000)}) == 10_000
