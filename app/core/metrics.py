"""The process's Prometheus metrics, kept cheap: a counter increment or a histogram
observation where the thing happens, no query. `/metrics` (`app/ops/metrics.py`) adds what
is read at scrape time.

Under several uvicorn workers `bluecard serve` points `PROMETHEUS_MULTIPROC_DIR` at a
fresh folder before the workers start, and each scrape sums every worker's files."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

REQUESTS = Counter(
    "bluecard_http_requests",
    "HTTP requests answered, by route template and status",
    ["method", "route", "status"],
)
LATENCY = Histogram(
    "bluecard_http_request_duration_seconds",
    "Time to answer an HTTP request, by route template and status",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
LOOKUPS = Counter(
    "bluecard_lookups",
    "Priority lookups answered, by service and outcome (priority, no_priority, invalid)",
    ["service", "outcome"],
)
RATE_LIMITED = Counter(
    "bluecard_rate_limit_refusals",
    "Requests refused with 429, by the limit that refused them (credential, ids, login, public)",
    ["limit"],
)
