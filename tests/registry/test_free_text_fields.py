"""The registry's text fields refuse ID numbers in any spelling and control characters."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.registry.models import Talent
from tests.registry.factories import file, talent_data

OTHER = "34010219800101001X"
SPACED = "340102 19800101 001x"
FULL_WIDTH = "３４０１０２１９８００１０１００１Ｘ"
HYPHENS = "340102-1980-0101-001x"


def _url(client: TestClient, name: str, **params: Any) -> str:
    return str(client.app.url_path_for(name, **{k: str(v) for k, v in params.items()}))  # type: ignore[attr-defined]


@pytest.fixture
def admin(login: Any, db: Session) -> dict[str, str]:
    headers: dict[str, str] = login("province_admin").headers
    db.commit()  # a refused request rolls back whatever was not committed
    return headers


def _honor(**fields: Any) -> dict[str, Any]:
    return {
        "category": "national_model_worker",
        "title": "全国劳动模范",
        "conferred_by": "中共中央、国务院",
        "year": 2015,
        "certificate_no": "QG-2015-0042",
    } | fields


@pytest.mark.parametrize(
    ("edit", "field", "code"),
    [
        (
            {"conditions": {"contribution": {"met": True, "note": f"持证人 {SPACED} 贡献突出"}}},
            "conditions.contribution.note",
            "id_number_in_text",
        ),
        ({"honors": [_honor(title=f"劳模{FULL_WIDTH}")]}, "honors.0.title", "id_number_in_text"),
        (
            {"honors": [_honor(certificate_no=HYPHENS)]},
            "honors.0.certificate_no",
            "id_number_in_text",
        ),
        (
            {"honors": [_honor(conferred_by=f"国务院{OTHER}")]},
            "honors.0.conferred_by",
            "id_number_in_text",
        ),
        ({"employer": f"某厂（{SPACED}）"}, "employer", "id_number_in_text"),
        ({"name": "张\x00三"}, "name", "invalid_text"),
        ({"name": "张\t三"}, "name", "invalid_text"),
        (
            {
                "dependents": [
                    {"relation": "child", "name": "李\x1b四", "id_number": "340102201001010028"}
                ]
            },
            "dependents.0.name",
            "invalid_text",
        ),
    ],
)
def test_talent_edit_refuses_id_numbers_and_control_characters(
    client: TestClient,
    db: Session,
    admin: dict[str, str],
    edit: dict[str, Any],
    field: str,
    code: str,
) -> None:
    talent = file(db, talent_data())
    response = client.patch(
        _url(client, "talent_update", talent_id=talent.id),
        headers={**admin, "If-Match": f'"{talent.version}"'},
        json=edit,
    )
    assert response.status_code == 422, response.text
    assert (field, code) in {(e["field"], e["code"]) for e in response.json()["errors"]}
    assert "19800101" not in response.text and "１９８００１０１" not in response.text
    db.expire_all()
    assert db.get(Talent, talent.id).version == talent.version  # type: ignore[union-attr]


@pytest.mark.parametrize("reason", [f"核查 {SPACED}", f"核查{FULL_WIDTH}", HYPHENS])
def test_marker_reason_holding_an_id_number_is_refused(
    client: TestClient, db: Session, admin: dict[str, str], reason: str
) -> None:
    talent = file(db, talent_data())
    response = client.post(
        _url(client, "marker_suspend", talent_id=talent.id), headers=admin, json={"reason": reason}
    )
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "id_number_in_text"
    detail = client.get(_url(client, "talent_get", talent_id=talent.id), headers=admin)
    assert detail.json()["marker"]["status"] == "active"
