"""Pages of the notice's other duties: direct studio applications, assistance cases and the
key-task ledger. Rules stay in `app/studios`, `app/assistance` and `app/tasks`."""

from fastapi import APIRouter

from app.pages.duties import assistance, studios, tasks

router = APIRouter()
for area in (studios, assistance, tasks):
    router.include_router(area.router)
