"""Liveness and readiness probes."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict

from app import __version__
from app.core.db import READ_ONLY, get_engine
from app.core.openapi_doc import errors
from app.core.problems import problem
from app.ops.keycheck import KeysRefused, open_keyring
from app.ops.migrate import current_revision, schema_serves

router = APIRouter(tags=["health"])
# Not ready is a state that passes (a migration, a key being installed): ask again soon.
_RETRY = {"Retry-After": "10"}


class Health(BaseModel):
    status: str
    version: str

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"status": "ok", "version": "1.0.0"}]}
    )


class Readiness(BaseModel):
    status: str
    revision: str

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"status": "ready", "revision": "0009"}]}
    )


@router.get("/healthz", summary="Liveness: the process answers")
def health_get() -> Health:
    """Liveness: answers while the process runs, with its version. Anyone may call it;
    records nothing."""
    return Health(status="ok", version=__version__)


@router.get(
    "/readyz",
    summary="Readiness: the database answers, is not behind, and this host's keys open it",
    response_model=Readiness,
    responses=errors(503),
)
def readiness_get() -> JSONResponse:
    """Readiness: 200 when the database answers, its schema is not behind this version and
    this host's keys open the stored data; else 503 with Retry-After. Anyone may call it;
    records nothing."""
    try:
        with get_engine().connect().execution_options(**{READ_ONLY: True}) as connection:
            current = current_revision(connection)
            if not schema_serves(current):
                return problem(
                    503, "schema_outdated", "Not ready", "数据库结构不是最新版本，请执行迁移。",
                    headers=_RETRY,
                )  # fmt: skip
            open_keyring(connection)
    except KeysRefused:
        return problem(
            503, "keys_do_not_open_data", "Not ready", "本机的数据保护密钥无法解开数据库中的数据。",
            headers=_RETRY,
        )  # fmt: skip
    except Exception:
        return problem(503, "database_unavailable", "Not ready", "数据库不可用。", headers=_RETRY)
    return JSONResponse({"status": "ready", "revision": current})
