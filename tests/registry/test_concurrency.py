"""Twenty admins PATCH the same record with the same ETag at once: exactly one wins.

Real commits on a database of the test's own; each thread has its own HTTP client, app
and request sessions.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.access import service as access
from app.core.audit import SYSTEM
from app.core.db import session_scope
from app.main import create_app
from app.registry import service
from app.registry.models import Talent, TalentVersion
from tests.conftest import DEMO_PASSWORD
from tests.registry.factories import HEFEI, TODAY, talent_data

RACERS = 20


def test_concurrent_patches_with_one_etag_give_one_success_and_412s(
    fresh_database_url: str,
) -> None:
    with session_scope() as session:
        admin = access.create_user(
            session, SYSTEM, username="race-admin", password=DEMO_PASSWORD, role="province_admin"
        )
        token = access.issue_token(session, admin).token
        talent = service.file_record(
            session,
            SYSTEM,
            talent_data(),
            city_code=HEFEI,
            existing=None,
            submission_id=None,
            today=TODAY,
        )
    etag = f'"{talent.version}"'
    headers = {"Authorization": f"Bearer {token}", "If-Match": etag}
    start = threading.Barrier(RACERS)

    def patch(i: int) -> int:
        with TestClient(create_app(), raise_server_exceptions=False) as client:
            url = str(client.app.url_path_for("talent_update", talent_id=str(talent.talent_id)))  # type: ignore[attr-defined]
            start.wait()
            return client.patch(url, headers=headers, json={"employer": f"单位{i}"}).status_code

    with ThreadPoolExecutor(RACERS) as pool:
        statuses = list(pool.map(patch, range(RACERS)))

    assert sorted(statuses) == [200] + [412] * (RACERS - 1)
    with session_scope() as session:
        stored = session.get(Talent, talent.talent_id)
        assert stored is not None and stored.version == talent.version + 1
        assert stored.employer.startswith("单位")
        updates = session.scalar(
            select(func.count())
            .select_from(TalentVersion)
            .where(TalentVersion.talent_id == talent.talent_id, TalentVersion.action == "update")
        )
        assert updates == 1
