"""Pages of the notice's other duties: direct studio applications, assistance cases and the
key-task ledger. Rules stay in `app/studios`, `app/assistance` and `app/tasks`."""

from fastapi import APIRouter

from app.pages.duties.assistance import router as assistance_router
from app.pages.duties.studios import router as studios_router
from app.pages.duties.tasks import router as tasks_router

router = APIRouter()
for area_router in (studios_router, assistance_router, tasks_router):
    router.include_router(area_router)
