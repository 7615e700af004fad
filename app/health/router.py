"""Liveness and readiness probes."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from app.core.db import READ_ONLY, get_engine
from app.core.problems import problem
from app.ops.migrate import current_revision, head_revision

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Liveness: the process answers")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="Readiness: the database answers and is at the latest migration",
    responses={503: {"description": "Database unreachable or not migrated"}},
)
def readyz() -> JSONResponse:
    try:
        with get_engine().connect().execution_options(**{READ_ONLY: True}) as connection:
            current = current_revision(connection)
    except Exception:
        return problem(503, "database_unavailable", "Not ready", "数据库不可用。")
    if current != head_revision():
        return problem(503, "schema_outdated", "Not ready", "数据库结构不是最新版本，请执行迁移。")
    return JSONResponse({"status": "ready", "revision": current})
