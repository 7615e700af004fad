"""Single priority lookups through the ASGI app in this process: no server, no sockets.

    python bench/_lookup_inprocess.py IDS_FILE API_KEY WARM_UP LOOKUPS

Runs the app's lifespan, sends WARM_UP lookups, then LOOKUPS more, each from 32 callers at
once as a server would see them, and prints one JSON line: the statuses and the CPU seconds
of the measured part. `lookup_cost.py` runs it under valgrind to count instructions.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import uvloop

from app.core.logging import configure_logging

CALLERS = 32
PATH = "/api/v1/priority/lookup"


def main() -> None:
    ids_file, key, warm_up, lookups = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:5])
    configure_logging("INFO")
    logging.getLogger().handlers[0].setStream(open("/dev/null", "w"))  # noqa: SIM115
    from app.main import app  # after the log set-up, as `bluecard serve` does

    numbers = Path(ids_file).read_text(encoding="utf-8").split()
    statuses: Counter[int] = Counter()
    headers = [
        (b"host", b"127.0.0.1"),
        (b"content-type", b"application/json"),
        (b"authorization", b"Bearer " + key.encode()),
    ]

    async def lookup(n: int) -> None:
        query = {"id_number": numbers[n % len(numbers)], "service": "housing", "purpose": "cost"}
        body = json.dumps(query).encode()
        scope: dict[str, Any] = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
            "method": "POST", "scheme": "http", "path": PATH, "raw_path": PATH.encode(),
            "query_string": b"", "root_path": "", "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 80),
            "headers": [*headers, (b"content-length", str(len(body)).encode())],
        }  # fmt: skip
        messages = [{"type": "http.request", "body": body, "more_body": False}]

        async def receive() -> dict[str, Any]:
            if messages:
                return messages.pop()
            await asyncio.Event().wait()  # the client never hangs up
            raise AssertionError

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                statuses[message["status"]] += 1

        await app(scope, receive, send)

    async def callers(first: int, count: int) -> None:
        async def caller(k: int) -> None:
            for n in range(first + k, first + count, CALLERS):
                await lookup(n)

        await asyncio.gather(*(caller(k) for k in range(CALLERS)))

    async def run() -> float:
        async with app.router.lifespan_context(app):
            await callers(0, warm_up)
            started = time.process_time()
            await callers(warm_up, lookups)
            return time.process_time() - started

    cpu = uvloop.run(run())
    print(json.dumps({"statuses": {str(k): v for k, v in statuses.items()}, "cpu_s": cpu}))


if __name__ == "__main__":
    main()
