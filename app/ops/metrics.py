"""`GET /metrics`: Prometheus text exposition (contract v2).

What the process counts (`app/core/metrics.py`), summed over every worker when
`PROMETHEUS_MULTIPROC_DIR` is set, and what is read at scrape time: the lookup journal's
backlog. `BLUECARD_METRICS_TOKEN`, when set, is required as a bearer token.
"""

from __future__ import annotations

import hmac
import logging
import os
from collections.abc import Iterator

from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import QueuePool

from app.core.audit import AuditCheckpoint
from app.core.db import connection_scope, get_engine
from app.core.problems import problem
from app.core.settings import get_settings
from app.core.types import utcnow
from app.lookup.models import JOURNAL

router = APIRouter(tags=["health"])
log = logging.getLogger("bluecard.metrics")


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request) -> Response:
    token = get_settings().metrics_token
    if token is not None:
        given = request.headers.get("authorization", "")
        if not hmac.compare_digest(given.encode(), f"Bearer {token.get_secret_value()}".encode()):
            return problem(
                401, "unauthorized", "Unauthorized", "需要有效的指标令牌。",
                headers={"WWW-Authenticate": "Bearer"},
            )  # fmt: skip
    body = generate_latest(_process_registry()) + generate_latest(_SCRAPE_TIME)
    return Response(body, media_type=CONTENT_TYPE_LATEST)


def _process_registry() -> CollectorRegistry:
    if "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return registry


class JournalBacklog(Collector):
    """Rows of the lookup journal not yet expanded into records: one query per scrape."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            with connection_scope(read_only=True) as connection:
                rows = connection.scalar(select(func.count()).select_from(JOURNAL)) or 0
        except SQLAlchemyError:
            log.warning("journal backlog not read: database unavailable")
            return
        yield GaugeMetricFamily(
            "bluecard_lookup_journal_backlog_rows",
            "Lookup journal rows waiting to be expanded into lookup records",
            value=rows,
        )


class PoolInUse(Collector):
    """Database connections this process has checked out of its pool, and the pool's size:
    how near the workers run to `BLUECARD_DB_POOL_SIZE` + overflow (the scraped worker's)."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        pool = get_engine().pool
        if isinstance(pool, QueuePool):
            yield GaugeMetricFamily(
                "bluecard_db_pool_in_use",
                "Database connections checked out of this worker's pool",
                value=pool.checkedout(),
            )
            yield GaugeMetricFamily(
                "bluecard_db_pool_size", "This worker's pool size (without overflow)",
                value=pool.size(),
            )  # fmt: skip


class AuditVerificationAge(Collector):
    """Seconds since `bluecard audit verify` last found the chain whole (none: never)."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            with connection_scope(read_only=True) as connection:
                last = connection.scalar(select(func.max(AuditCheckpoint.verified_at)))
        except SQLAlchemyError:
            log.warning("audit verification age not read: database unavailable")
            return
        if last is not None:
            yield GaugeMetricFamily(
                "bluecard_audit_verified_age_seconds",
                "Seconds since the audit chain was last verified whole",
                value=(utcnow() - last).total_seconds(),
            )


_SCRAPE_TIME = CollectorRegistry(auto_describe=False)
_SCRAPE_TIME.register(JournalBacklog())
_SCRAPE_TIME.register(PoolInUse())
_SCRAPE_TIME.register(AuditVerificationAge())
