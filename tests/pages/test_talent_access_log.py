"""A talent page's lookup records say what was answered and why (holder or dependent, or
no active marker then), so a dispute can be settled from the record."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.core.audit import SYSTEM
from app.registry.markers import suspend_marker
from app.registry.queries import load_talent
from tests.conftest import Login
from tests.lookup.factories import make_talent
from tests.lookup.test_lookup import ALL_SCOPES, lookup


def _log_rows(html: str) -> list[str]:
    section = re.search(r'aria-labelledby="access-title">(.*?)</section>', html, re.S)
    assert section
    rows = re.findall(r"<tr>(.*?)</tr>", section.group(1), re.S)[1:]
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in rows]


def test_each_lookup_shows_the_answer_and_its_basis_in_chinese(
    client: TestClient,
    db: Session,
    sign_in: Callable[..., Login],
    partner_login: Callable[..., Any],
) -> None:
    person = make_talent(db, dependents=("child",))  # of school age
    db.commit()
    partner = partner_login(ALL_SCOPES)
    lookup(client, partner.headers, id_number=person.id_number, purpose="购房 1")
    child = person.dependents[0].id_number
    lookup(client, partner.headers, id_number=child, service="education", purpose="教育 2")
    talent = load_talent(db, person.talent_id)
    assert talent is not None
    suspend_marker(db, SYSTEM, talent, reason="待核查")
    db.commit()
    lookup(client, partner.headers, id_number=person.id_number, purpose="购房 3")
    sign_in("province_admin")

    url = client.app.url_path_for("page_talent_record", talent_id=str(person.talent_id))  # type: ignore[attr-defined]
    rows = _log_rows(client.get(url).text)

    # Newest first: this very reading of the record, then the three lookups.
    assert len(rows) == 4
    assert "已显示记录" in rows[0] and rows[0].endswith("—")
    assert "购房 3" in rows[1] and "无优先资格" in rows[1]
    assert "查询时本人无有效特殊标识" in rows[1]
    assert "教育 2" in rows[2] and "有优先资格" in rows[2] and "作为持标人的子女" in rows[2]
    assert "购房 1" in rows[3] and "有优先资格" in rows[3] and "本人持有效特殊标识" in rows[3]
