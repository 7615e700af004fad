"""All page routes: Chinese HTML over the same services as the API.

Every route defined under `app.pages` answers errors with a Chinese HTML page (see
`errors.py`) and carries the CSRF check (every POST form must carry its token).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.staticfiles import StaticFiles

from app.pages import (
    accounts,
    audit,
    auth,
    city,
    counter,
    duties,
    oversight,
    partners,
    province,
    public,
    reference,
    statistics,
    talents,
)
from app.pages.errors import PAGE_TAG
from app.pages.rendering import STATIC_DIR
from app.pages.session import csrf_protect

router = APIRouter(include_in_schema=False, tags=[PAGE_TAG], dependencies=[Depends(csrf_protect)])
for area in (
    auth,
    counter,
    city,
    province,
    oversight,
    statistics,
    talents,
    partners,
    accounts,
    reference,
    audit,
    public,
    duties,
):
    router.include_router(area.router)
router.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
