"""Public routes: no credentials, rate-limited per client address."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import StreamingResponse

from app.access.ratelimit import PublicRateLimit
from app.core.db import SessionDep, StreamingSessionDep
from app.core.keys import get_keyring
from app.core.openapi_doc import binary
from app.core.paging import PageNumber
from app.core.settings import get_settings
from app.core.text_fields import FreeText
from app.core.types import utcnow
from app.public import service, snapshot
from app.public.roster_csv import roster_csv
from app.public.schemas import MarkerVerification, RosterPage, SignedSnapshot, SigningKeySet
from app.registry.markers import local_today

router = APIRouter(prefix="/api/v1/public", tags=["public"])

CityCode = Annotated[str | None, Query(pattern=r"^\d{6}$", description="e.g. 340100")]
CategoryQuery = Annotated[
    str | None, Query(max_length=40, description="A category code, e.g. national_model_worker")
]
NameContains = Annotated[
    FreeText | None, Query(min_length=1, max_length=50, description="姓名包含")
]
MarkerCode = Annotated[str, Path(min_length=1, max_length=40)]
_CSV_NAME = quote("高技能领军人才名单.csv")


@router.get("/roster", summary="The published roster of leading talents")
def roster_list(
    _limit: PublicRateLimit,
    session: SessionDep,
    city_code: CityCode = None,
    category: CategoryQuery = None,
    q: NameContains = None,
    page: PageNumber = 1,
    page_size: Annotated[int, Query(ge=1, le=100)] = 20,
) -> RosterPage:
    """The published roster: people whose marker is active, filtered by city, category or
    name, without any ID number. Anyone may call it (rate-limited per address); records
    nothing."""
    service.check_city_code(city_code)
    service.check_category(session, category)
    where = service.RosterFilter(city_code, category, q)
    today = local_today(utcnow())
    return service.roster_page(session, where, today=today, page=page, page_size=page_size)


@router.get(
    "/roster.csv",
    summary="The published roster as CSV (UTF-8 with BOM, Chinese headers)",
    response_class=Response,
    responses=binary("text/csv", "The roster as CSV (UTF-8 with BOM)"),
)
def roster_export(
    _limit: PublicRateLimit,
    session: StreamingSessionDep,
    city_code: CityCode = None,
    category: CategoryQuery = None,
    q: NameContains = None,
) -> Response:
    """The published roster as a CSV download (UTF-8 with BOM, Chinese headers). Anyone may
    call it (rate-limited per address); records nothing."""
    service.check_city_code(city_code)
    service.check_category(session, category)
    where = service.RosterFilter(city_code, category, q)
    chunks = service.roster_chunks(session, where, today=local_today(utcnow()))
    return StreamingResponse(
        roster_csv(chunks),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f"attachment; filename=roster.csv; filename*=UTF-8''{_CSV_NAME}"
        },
    )


@router.get(
    "/roster/snapshot",
    summary="A signed copy of the whole roster, with the codes no longer valid (Ed25519)",
)
def roster_snapshot(_limit: PublicRateLimit, session: SessionDep) -> SignedSnapshot:
    """A signed copy of the whole roster with the marker codes no longer valid (Ed25519),
    for offline checks. Anyone may call it (rate-limited per address); records nothing."""
    now = utcnow()
    signing = get_keyring().signing_keys()
    return snapshot.signed_snapshot(session, signing, now=now, today=local_today(now))


@router.get(
    "/signing-keys",
    summary="The public keys that sign roster snapshots, current first (RFC 8037 JWK)",
)
def signing_key_list(_limit: PublicRateLimit) -> SigningKeySet:
    """The public keys that sign roster snapshots, current first (RFC 8037 JWK). Anyone may
    call it (rate-limited per address); records nothing."""
    return snapshot.signing_key_set(get_keyring().signing_keys())


@router.get(
    "/verify/{marker_code}",
    summary="Is this marker valid? (what the code printed on a card leads to)",
)
def marker_verify(
    marker_code: MarkerCode, _limit: PublicRateLimit, session: SessionDep
) -> MarkerVerification:
    """Says whether a marker code is valid, with the holder's masked name, city and
    categories; 404 for a code never issued. Anyone may call it (rate-limited per address);
    records nothing."""
    return service.verify_marker(session, marker_code, today=local_today(utcnow()))


@router.get(
    "/verify/{marker_code}/qr.png",
    summary="A PNG QR code of the marker's public verification page",
    response_class=Response,
    responses=binary("image/png", "The QR code as a PNG image"),
)
def marker_qr(
    request: Request, marker_code: MarkerCode, _limit: PublicRateLimit, session: SessionDep
) -> Response:
    """A PNG QR code leading to the marker's public verification page. Anyone may call it
    (rate-limited per address); records nothing."""
    png = service.verification_qr_png(session, marker_code, served_at=str(request.base_url))
    # Without a set base URL the image depends on the Host asked: no shared cache may keep it.
    shared = "public" if get_settings().public_base_url else "private"
    return Response(
        png, media_type="image/png", headers={"Cache-Control": f"{shared}, max-age=86400"}
    )
