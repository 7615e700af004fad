"""The people and systems the server-level tests act as, made in the current database."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from app.access import partners, service
from app.core.audit import SYSTEM
from app.core.db import session_scope
from tests.conftest import DEMO_PASSWORD
from tests.robustness.api import bearer

CITY = "340100"


@dataclass(frozen=True)
class Cast:
    city: dict[str, str]  # a city operator of 340100
    province: dict[str, str]  # a province admin
    partner: dict[str, str]  # a partner system with the housing scope
    partner_id: uuid.UUID


def make_cast() -> Cast:
    suffix = uuid.uuid4().hex[:6]
    with session_scope() as session:
        headers = {}
        for role, city in (("city_operator", CITY), ("province_admin", None)):
            user = service.create_user(
                session,
                SYSTEM,
                username=f"{role}-{suffix}",
                password=DEMO_PASSWORD,
                role=role,
                city_code=city,
            )
            headers[role] = bearer(service.issue_token(session, user).token)
        partner = partners.create_partner(
            session, SYSTEM, name=f"住建-{suffix}", scopes=["priority:housing"]
        )
        _, key = partners.issue_api_key(session, SYSTEM, partner)
        return Cast(headers["city_operator"], headers["province_admin"], bearer(key), partner.id)
