"""An upload's parsing and validation take no write lock: a priority lookup made while a
file is being judged is answered then, not after it (on SQLite it used to wait behind the
whole validation, and got 503 once the busy timeout ran out)."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.access import partners
from app.core.audit import SYSTEM
from app.core.db import connection_scope, session_scope
from app.filing import intake
from app.filing.calendar import current_period
from app.filing.intake import reading_session, take_in
from app.filing.upload import hashed_upload
from app.main import create_app
from app.registry.markers import local_today
from tests.filing.api import HOLDER_CITY
from tests.filing.parser_files import HOLDER
from tests.filing.writers import people, write_json


def test_a_lookup_is_answered_while_an_upload_is_being_judged(
    fresh_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(intake, "CHUNK_ROWS", 2)
    with session_scope() as session:
        partner = partners.create_partner(
            session, SYSTEM, name="住建", agency="住建厅", scopes=["priority:housing"]
        )
        _, key = partners.issue_api_key(session, SYSTEM, partner)
    path = write_json(tmp_path / "six.json", people(41, 6, city_code=HOLDER_CITY))
    answers: list[int] = []

    with TestClient(create_app()) as client:

        def look_up_meanwhile(_done: int) -> None:
            if answers:
                return
            response = client.post(
                client.app.url_path_for("priority_lookup"),  # type: ignore[attr-defined]
                json={"id_number": HOLDER, "service": "housing", "purpose": "购房资格审核"},
                headers={"Authorization": f"Bearer {key}"},
            )
            answers.append(response.status_code)

        with path.open("rb") as stream, session_scope() as session:
            made = take_in(
                session,
                SYSTEM,
                hashed_upload(stream, path.name),
                city_code=HOLDER_CITY,
                period=current_period(local_today()),
                idempotency_key=None,
                today=local_today(),
                progress=look_up_meanwhile,
                reader=partial(reading_session, connection_scope),
            )
    # Asked after the first slice was judged, with the rest of the file still to come.
    assert answers == [200]
    assert made.submission.counts["rows"] == 6
