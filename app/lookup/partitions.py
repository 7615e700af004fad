"""The lookup record's monthly partitions on PostgreSQL.

`lookup_record` is partitioned by range of `occurred_at`, one partition per calendar
month (UTC) named `lookup_record_pYYYYMM`, plus a default partition that catches a row
for which no month exists yet, so a lookup is never refused for want of a partition.
`ensure_ahead` creates the current month and the next ones; the server runs it at start
and every few hours (`retention.maintained_in_background`), under an advisory lock so that
several workers or hosts doing it at once create each partition once. On SQLite there is
one plain table and nothing here applies.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime

from sqlalchemy import Column, Connection, MetaData, Table, literal, select, text

from app.lookup.models import RECORDS

log = logging.getLogger("bluecard.lookup.partitions")

PARENT = "lookup_record"
DEFAULT = "lookup_record_default"
# Months created ahead of the current one: weeks of slack if the maintenance stops.
AHEAD_MONTHS = 2
# Any fixed number, distinct from the migration lock's; "lookpart" in ASCII.
PARTITION_LOCK = 0x6C6F6F6B_70617274
_NAME = re.compile(r"lookup_record_p(\d{4})(\d{2})")
# Partitions and the default are the database's business, not the models': autogenerate
# leaves them out (`migrations/env.py`, `ops.migrate.schema_drift`).
PARTITION_TABLE = re.compile(r"lookup_record_(p\d{6}|default)")

Month = tuple[int, int]  # (year, month)


def month_of(moment: datetime) -> Month:
    moment = moment.astimezone(UTC)
    return moment.year, moment.month


def add_months(month: Month, count: int) -> Month:
    index = month[0] * 12 + month[1] - 1 + count
    return index // 12, index % 12 + 1


def month_start(month: Month) -> datetime:
    return datetime(month[0], month[1], 1, tzinfo=UTC)


def partition_name(month: Month) -> str:
    return f"{PARENT}_p{month[0]:04d}{month[1]:02d}"


def is_partitioned(connection: Connection) -> bool:
    return connection.dialect.name == "postgresql"


def existing_partitions(connection: Connection) -> dict[Month, str]:
    """The monthly partitions attached to the record, by month."""
    names = connection.scalars(
        text(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = CAST(:parent AS regclass)"
        ),
        {"parent": PARENT},
    )
    found: dict[Month, str] = {}
    for name in names:
        matched = _NAME.fullmatch(name)
        if matched:
            found[int(matched[1]), int(matched[2])] = name
    return found


def create_partition(connection: Connection, month: Month) -> None:
    """The month's partition (nothing on SQLite). The caller holds `PARTITION_LOCK`."""
    low, high = month_start(month), month_start(add_months(month, 1))
    connection.exec_driver_sql(
        f"CREATE TABLE IF NOT EXISTS {partition_name(month)} PARTITION OF {PARENT} "
        f"FOR VALUES FROM ('{low.isoformat()}') TO ('{high.isoformat()}')"
    )


def create_default(connection: Connection) -> None:
    connection.exec_driver_sql(
        f"CREATE TABLE IF NOT EXISTS {DEFAULT} PARTITION OF {PARENT} DEFAULT"
    )


def lock(connection: Connection) -> None:
    """Hold the partition lock until the transaction ends: one maintainer at a time."""
    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PARTITION_LOCK})


def ensure_ahead(connection: Connection, now: datetime, ahead: int = AHEAD_MONTHS) -> list[str]:
    """Create the partitions of this month and the `ahead` next, in the caller's
    transaction; return the names created. Idempotent, and safe to run concurrently."""
    if not is_partitioned(connection):
        return []
    lock(connection)
    have = existing_partitions(connection)
    created = []
    for offset in range(ahead + 1):
        month = add_months(month_of(now), offset)
        if month in have:
            continue
        if _default_holds(connection, month):
            # Rows of the month already went to the default partition (the maintenance
            # had stopped): they stay there, read and retained like any other.
            log.warning("lookup month left in the default partition", extra={"month": month})
            continue
        create_partition(connection, month)
        created.append(partition_name(month))
    return created


def default_table() -> Table:
    """The default partition, to read it alone (its time is all that is read)."""
    return Table(DEFAULT, MetaData(), Column("occurred_at", RECORDS.c.occurred_at.type))


def _default_holds(connection: Connection, month: Month) -> bool:
    low, high = month_start(month), month_start(add_months(month, 1))
    rows = default_table()
    in_month = rows.c.occurred_at >= low, rows.c.occurred_at < high
    return connection.scalar(select(literal(1)).where(*in_month).limit(1)) is not None


def drop_partition(connection: Connection, name: str) -> None:
    """Detach and drop a partition, in the caller's transaction."""
    connection.exec_driver_sql(f"ALTER TABLE {PARENT} DETACH PARTITION {name}")
    connection.exec_driver_sql(f"DROP TABLE {name}")
