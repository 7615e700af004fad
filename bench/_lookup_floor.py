"""The floor the lookup is measured against: a raw ASGI app, no FastAPI, no auth, no
validation, that does only what no lookup can skip: the blind index, the indexed select of
talent JOIN marker by it, the insert of the lookup record, the commit, a small JSON answer.

On SQLite (one writer at a time) the database work runs on the event loop on one
connection: it is all sub-millisecond, and that is the fastest one worker can serve it. On
PostgreSQL it uses psycopg's async connections, so transactions overlap. BENCH_URL picks
the database, BLUECARD_KEY_FILE the key ring whose index key the data was hashed with.
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg

from app.core.crypto import KeyRing

URL = os.environ["BENCH_URL"]
KEYRING = KeyRing.from_json(Path(os.environ["BLUECARD_KEY_FILE"]).read_text())  # version 1
CALLER = uuid.uuid4()
SELECT = (
    "SELECT m.code, m.status, m.valid_until FROM talent t JOIN marker m ON m.talent_id = t.id "
    "WHERE t.id_hash = {p}"
)
INSERT = (
    "INSERT INTO lookup_record (id, occurred_at, caller_kind, caller_id, caller_name, service, "
    "purpose, query_kind, subject_hash, outcome, basis, batch_id) "
    "VALUES ({p}, {p}, 'partner', {p}, 'floor', {p}, {p}, 'id_number', {p}, {p}, {p}, NULL)"
)


class SqliteStore:
    def __init__(self, path: str) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=30000"):
            self.conn.execute(f"PRAGMA {pragma}")
        self.select, self.insert = SELECT.format(p="?"), INSERT.format(p="?")

    def lookup(self, subject_hash: str, service: str, purpose: str) -> Any:
        self.conn.execute("BEGIN IMMEDIATE")
        row = self.conn.execute(self.select, (subject_hash,)).fetchone()
        now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        outcome, basis = ("priority", "holder") if row else ("no_priority", None)
        values = (uuid.uuid4().hex, now, CALLER.hex, service, purpose, subject_hash, outcome, basis)
        self.conn.execute(self.insert, values)
        self.conn.execute("COMMIT")
        return row


class PostgresStore:
    """Async connections, one per request in flight, so commits overlap as the app's do
    (a single connection would wait for each commit's WAL flush in turn)."""

    def __init__(self, url: str, size: int = 32) -> None:
        self.url = url.replace("postgresql+psycopg://", "postgresql://")
        self.size = size
        self.pool: asyncio.Queue[Any] | None = None
        self.select, self.insert = SELECT.format(p="%s"), INSERT.format(p="%s")

    async def lookup(self, subject_hash: str, service: str, purpose: str) -> Any:
        if self.pool is None:
            self.pool = asyncio.Queue()
            for _ in range(self.size):
                self.pool.put_nowait(await psycopg.AsyncConnection.connect(self.url))
        conn = await self.pool.get()
        try:
            cursor = await conn.execute(self.select, (subject_hash,))
            row = await cursor.fetchone()
            outcome, basis = ("priority", "holder") if row else ("no_priority", None)
            values = (
                uuid.uuid4(),
                datetime.now(UTC),
                CALLER,
                service,
                purpose,
                subject_hash,
                outcome,
                basis,
            )
            await conn.execute(self.insert, values)
            await conn.commit()
        finally:
            self.pool.put_nowait(conn)
        return row


STORE = (
    SqliteStore(URL.removeprefix("sqlite:///")) if URL.startswith("sqlite") else PostgresStore(URL)
)


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while (message := await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    body, more = b"", True
    while more:
        message = await receive()
        body += message.get("body", b"")
        more = message.get("more_body", False)
    request = json.loads(body)
    subject_hash = KEYRING.blind_index(request.get("id_number", ""))
    if isinstance(STORE, SqliteStore):
        row = STORE.lookup(subject_hash, request["service"], request["purpose"])
    else:
        row = await STORE.lookup(subject_hash, request["service"], request["purpose"])
    answer = json.dumps({"priority": row is not None, "marker": row and {"code": row[0]}})
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(answer))]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": answer.encode()})
