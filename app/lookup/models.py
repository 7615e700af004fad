"""The record of every priority lookup: who asked, when, for what, and the answer.

On PostgreSQL the record is partitioned by month of `occurred_at` (`partitions.py` keeps
the months ahead and drops those past retention), so its primary key holds the time too;
the ORM still knows a record by its id alone.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import cast

from sqlalchemy import Index, PrimaryKeyConstraint, String, Table, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base
from app.core.types import HexDigest, UTCDateTime, utcnow


class LookupRecord(Base):
    __tablename__ = "lookup_record"
    # The person's access log and a clerk's own recent lookups, both newest first.
    __table_args__ = (
        PrimaryKeyConstraint("id", "occurred_at"),
        Index("ix_lookup_record_subject_time", "subject_hash", "occurred_at"),
        Index("ix_lookup_record_caller_time", "caller_id", "occurred_at"),
        {"postgresql_partition_by": "RANGE (occurred_at)"},
    )
    __mapper_args__ = {"primary_key": ["id"]}  # noqa: RUF012

    id: Mapped[uuid.UUID] = mapped_column(Uuid, default=uuid.uuid4)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    caller_kind: Mapped[str] = mapped_column(String(8))  # user | partner
    caller_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    caller_name: Mapped[str] = mapped_column(String(120))
    # Null for a read of the person (a page, a filing check) rather than a priority lookup.
    service: Mapped[str | None] = mapped_column(String(32))
    purpose: Mapped[str] = mapped_column(String(200))
    query_kind: Mapped[str] = mapped_column(String(12))  # id_number | card_no | talent_id
    # The person, through the blind index only; null when the query named nobody valid.
    # Stored as its 32 bytes (`HexDigest`), compared as hex like every blind index.
    subject_hash: Mapped[str | None] = mapped_column(HexDigest)
    # Lookups: priority | no_priority | invalid. Reads (`reads.py`): what was shown.
    outcome: Mapped[str] = mapped_column(String(16))
    basis: Mapped[str | None] = mapped_column(String(12))
    batch_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)


class LookupJournal(Base):
    """A batch's lookups, recorded in one row as the batch is answered.

    Writing a thousand `LookupRecord`s inside the answering transaction put a thousand
    entries at random places in the index by person: most of a batch's cost. The journal
    row is written instead (one insert, its pages in order), and `lookup.journal` expands
    it into records moments later, in the database itself. Readers read the records and
    the pending entries together (`journal.records_and_pending`) and write nothing.
    """

    __tablename__ = "lookup_journal"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)  # the records' batch_id
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    caller_kind: Mapped[str] = mapped_column(String(8))
    caller_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    caller_name: Mapped[str] = mapped_column(String(120))
    service: Mapped[str] = mapped_column(String(32))
    purpose: Mapped[str] = mapped_column(String(200))
    query_kind: Mapped[str] = mapped_column(String(12))
    # JSON: one [record id (32 hex digits), subject_hash, outcome, basis] per entry, in order.
    entries: Mapped[str] = mapped_column(Text)


# The tables themselves, for the Core statements of the hot path.
RECORDS = cast(Table, LookupRecord.__table__)
JOURNAL = cast(Table, LookupJournal.__table__)
