"""The load generator, run as its own process: N concurrent callers, each on one keep-alive
HTTP/1.1 connection, post prepared JSON bodies in a loop for a fixed time after a short
warm-up, and print one JSON line: requests, seconds, statuses, p50/p99 latency.

Plain asyncio streams rather than an HTTP library: on a 2-core machine the client shares
the CPU with the server, and httpx alone costs several times what the server under test
spends per request, which would measure the client instead of the server.

    python bench/_lookup_drive.py --port 8000 --path /api/v1/priority/lookup \
        --bodies bodies.jsonl --key bk_... --concurrency 32 --duration 10
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections import Counter
from pathlib import Path


def requests_for(args: argparse.Namespace, bodies: list[bytes]) -> list[bytes]:
    head = (
        f"POST {args.path} HTTP/1.1\r\nHost: 127.0.0.1:{args.port}\r\n"
        f"Authorization: Bearer {args.key}\r\nContent-Type: application/json\r\n"
    ).encode()
    return [head + b"Content-Length: %d\r\n\r\n" % len(body) + body for body in bodies]


async def exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> int:
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    await reader.readexactly(length)
    return status


async def drive(args: argparse.Namespace, requests: list[bytes]) -> dict[str, object]:
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    measuring = False
    deadline = time.perf_counter() + args.warmup

    async def caller(n: int) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", args.port, limit=2**22)
        i = n
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            request = requests[i % len(requests)]
            status = await asyncio.wait_for(exchange(reader, writer, request), timeout=60)
            if measuring:
                latencies.append(time.perf_counter() - started)
                statuses[status] += 1
            i += args.concurrency
        writer.close()

    await asyncio.gather(*(caller(n) for n in range(args.concurrency)))
    measuring = True
    started = time.perf_counter()
    deadline = started + args.duration
    await asyncio.gather(*(caller(n) for n in range(args.concurrency)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    count = len(latencies)
    return {
        "requests": count,
        "seconds": elapsed,
        "per_second": count / elapsed,
        "p50_ms": latencies[count // 2] * 1000 if count else None,
        "p99_ms": latencies[min(count - 1, int(count * 0.99))] * 1000 if count else None,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--path", required=True)
    parser.add_argument("--bodies", type=Path, required=True)
    parser.add_argument("--key", default="none")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--warmup", type=float, default=2)
    args = parser.parse_args()
    bodies = [line.encode() for line in args.bodies.read_text(encoding="utf-8").splitlines()]
    print(json.dumps(asyncio.run(drive(args, requests_for(args, bodies)))))


if __name__ == "__main__":
    main()
