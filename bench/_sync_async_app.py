"""The two apps compared by sync_vs_async.py; BENCH_MODE picks one, BENCH_URL the database."""

from __future__ import annotations

import os
import uuid
from typing import Any

from fastapi import FastAPI
from sqlalchemy import text

URL = os.environ["BENCH_URL"]
SELECT = text("SELECT name, marker FROM person WHERE id_hash = :h")
INSERT = text("INSERT INTO lookup (id, subject_hash, outcome) VALUES (:id, :h, :o)")
SQLITE_ARGS: dict[str, Any] = {"timeout": 30}

app = FastAPI()

if os.environ["BENCH_MODE"] == "sync":
    from sqlalchemy import create_engine

    sync_args = {**SQLITE_ARGS, "check_same_thread": False} if URL.startswith("sqlite") else {}
    engine = create_engine(URL, pool_size=40, max_overflow=0, connect_args=sync_args)

    @app.get("/lookup/{h}")
    def lookup(h: str) -> dict[str, bool]:
        with engine.begin() as conn:
            row = conn.execute(SELECT, {"h": h}).first()
            conn.execute(INSERT, {"id": str(uuid.uuid4()), "h": h, "o": "yes" if row else "no"})
        return {"priority": row is not None}

else:
    from sqlalchemy.ext.asyncio import create_async_engine

    async_url = URL.replace("sqlite://", "sqlite+aiosqlite://").replace(
        "+psycopg", "+psycopg_async"
    )
    async_args = SQLITE_ARGS if URL.startswith("sqlite") else {}
    async_engine = create_async_engine(
        async_url, pool_size=40, max_overflow=0, connect_args=async_args
    )

    @app.get("/lookup/{h}")
    async def lookup_async(h: str) -> dict[str, bool]:
        async with async_engine.begin() as conn:
            row = (await conn.execute(SELECT, {"h": h})).first()
            await conn.execute(
                INSERT, {"id": str(uuid.uuid4()), "h": h, "o": "yes" if row else "no"}
            )
        return {"priority": row is not None}
