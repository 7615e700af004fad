"""The application: routers, middleware and error handlers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI

from app.access.admin_router import router as admin_router
from app.access.router import router as auth_router
from app.assistance.router import router as assistance_router
from app.core.api_docs import install_api_docs
from app.core.body_limit import BodyLimitMiddleware
from app.core.checkpoints import checkpoints_in_background
from app.core.control_characters import ControlCharacterGuard
from app.core.db import get_engine
from app.core.heap import freeze_loaded
from app.core.keys import refreshed_in_background
from app.core.logging import RequestLogMiddleware
from app.core.openapi_doc import install_openapi, operation_id
from app.core.problems import install_error_handlers
from app.core.reference_router import router as reference_router
from app.field_labels import FIELD_LABELS
from app.filing.calendar_router import router as calendar_router
from app.filing.router import router as filing_router
from app.health.router import router as health_router
from app.lookup.journal import expanded_in_background
from app.lookup.retention import maintained_in_background
from app.lookup.router import router as lookup_router
from app.ops.audit_router import router as audit_router
from app.ops.keycheck import check_keys_at_start
from app.ops.metrics import router as metrics_router
from app.ops.retention import retention_in_background
from app.pages.errors import install_page_errors
from app.pages.router import router as pages_router
from app.public.router import router as public_router
from app.reference.router import router as reference_admin_router
from app.registry.card_router import router as card_router
from app.registry.router import router as registry_router
from app.statistics.router import router as statistics_router
from app.studios.router import router as studios_router
from app.tasks.router import router as tasks_router

# One line per domain; the order is the order of the OpenAPI document, and the order in
# which a request is matched: lookups, the calls that come by the hundred a second, first.
ROUTERS: list[APIRouter] = [
    lookup_router,
    health_router,
    metrics_router,
    auth_router,
    admin_router,
    reference_router,
    reference_admin_router,
    audit_router,
    public_router,
    pages_router,
    registry_router,
    card_router,
    statistics_router,
    filing_router,
    calendar_router,
    studios_router,
    assistance_router,
    tasks_router,
]

DESCRIPTION = """\
The provincial registry of high-skill leading talents (高技能领军人才) and the priority-service
API behind their blue-card special marker. Errors are `application/problem+json` with a
stable `code`. Authenticate with `Authorization: Bearer <session token or partner API key>`;
each operation names the credentials it accepts (`SessionToken`, `PartnerApiKey`).

Generating a client: the downloads (PNG, XLSX, CSV) are declared with their media types as
bytes; openapi-python-client reads them as such with `schemas/openapi-python-client.yaml`.
"""


@asynccontextmanager
async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
    # Never answer from the wrong keys: a worker whose keys don't open the data won't start.
    check_keys_at_start(get_engine())
    freeze_loaded()  # each full collection would walk it all, stalling requests in flight
    async with (
        checkpoints_in_background(get_engine()),
        expanded_in_background(),
        refreshed_in_background(),
        retention_in_background(),
        maintained_in_background(),
    ):
        yield


def create_app() -> FastAPI:
    app = FastAPI(
        title="bluecard",
        lifespan=lifespan,
        version="1.0.0",
        description=DESCRIPTION,
        openapi_url="/openapi.json",
        docs_url=None,
        redoc_url=None,
        generate_unique_id_function=operation_id,
        # We export Prometheus metrics and JSON logs, not OpenTelemetry; FastAPI would
        # otherwise ask the OpenTelemetry globals on every request whether to trace it.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    for router in ROUTERS:
        app.include_router(router)
    install_error_handlers(app, field_labels=FIELD_LABELS)
    install_openapi(app)
    install_api_docs(app, "/openapi.json")
    install_page_errors(app)
    uploads = [app.url_path_for(name) for name in ("submission_create", "page_city_upload")]
    app.add_middleware(ControlCharacterGuard)
    app.add_middleware(BodyLimitMiddleware, upload_paths=uploads)
    app.add_middleware(RequestLogMiddleware)
    return app


app = create_app()
