"""Bearer credentials: missing, unknown, expired, revoked or disabled ones are 401."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.access import credentials, partners, service
from app.access.auth import admit_group
from app.access.models import ApiKey, AuthToken, Partner, User
from app.core.audit import SYSTEM
from app.core.errors import Unauthorized
from app.core.types import utcnow
from tests.access.credentials import principal_of

PASSWORD = "Shift-Start-0800"


@pytest.fixture
def auditor(db: Session) -> tuple[User, str]:
    user = service.create_user(db, SYSTEM, username="auditor.li", password=PASSWORD, role="auditor")
    token = service.issue_token(db, user).token
    db.commit()
    return user, token


@pytest.fixture
def partner_key(db: Session) -> tuple[Partner, ApiKey, str]:
    partner = partners.create_partner(db, SYSTEM, name="住建系统", scopes=["priority:housing"])
    row, key = partners.issue_api_key(db, SYSTEM, partner)
    db.commit()
    return partner, row, key


def _me(client: TestClient, secret: str | None) -> int:
    headers = {"Authorization": f"Bearer {secret}"} if secret is not None else {}
    response = client.get(client.app.url_path_for("me_get"), headers=headers)
    if response.status_code == 401:
        assert response.headers["www-authenticate"] == "Bearer"
        assert response.headers["content-type"] == "application/problem+json"
    return response.status_code


def test_live_token_and_key_are_accepted(
    client: TestClient, auditor: tuple[User, str], partner_key: tuple[Partner, ApiKey, str]
) -> None:
    assert _me(client, auditor[1]) == 200
    assert _me(client, partner_key[2]) == 200


@pytest.mark.parametrize(
    "secret",
    [None, "", "bct_not-a-token", "bk_12345678_not-a-key", "bk_short", "Basic dXNlcjpwYXNz"],
)
def test_missing_or_unknown_credentials_are_401(client: TestClient, secret: str | None) -> None:
    assert _me(client, secret) == 401


def test_basic_scheme_is_401(client: TestClient, auditor: tuple[User, str]) -> None:
    url = client.app.url_path_for("me_get")
    response = client.get(url, headers={"Authorization": f"Basic {auditor[1]}"})
    assert response.status_code == 401


def test_expired_token_is_401(client: TestClient, db: Session, auditor: tuple[User, str]) -> None:
    db.execute(update(AuthToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.commit()
    assert _me(client, auditor[1]) == 401


def test_revoked_token_is_401(client: TestClient, db: Session, auditor: tuple[User, str]) -> None:
    db.execute(update(AuthToken).values(revoked_at=utcnow()))
    db.commit()
    assert _me(client, auditor[1]) == 401


def test_disabling_a_user_ends_their_sessions(
    client: TestClient, db: Session, auditor: tuple[User, str]
) -> None:
    user, token = auditor
    service.update_user(db, SYSTEM, user, is_active=False)
    db.commit()
    assert _me(client, token) == 401
    service.update_user(db, SYSTEM, user, is_active=True)
    db.commit()
    assert _me(client, token) == 401, "re-enabling must not revive old sessions"


def test_expired_key_is_401(
    client: TestClient, db: Session, partner_key: tuple[Partner, ApiKey, str]
) -> None:
    db.execute(update(ApiKey).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.commit()
    assert _me(client, partner_key[2]) == 401


def test_revoked_key_is_401(
    client: TestClient, db: Session, partner_key: tuple[Partner, ApiKey, str]
) -> None:
    _, row, key = partner_key
    partners.revoke_api_key(db, SYSTEM, row)
    db.commit()
    assert _me(client, key) == 401


def test_key_of_a_disabled_partner_is_401(
    client: TestClient, db: Session, partner_key: tuple[Partner, ApiKey, str]
) -> None:
    partner, _, key = partner_key
    partners.update_partner(db, SYSTEM, partner, is_active=False)
    db.commit()
    assert _me(client, key) == 401


def test_right_prefix_with_wrong_secret_is_401(
    client: TestClient, partner_key: tuple[Partner, ApiKey, str]
) -> None:
    _, row, key = partner_key
    forged = f"{credentials.API_KEY_PREFIX}{row.prefix}_{'A' * 43}"
    assert forged != key
    assert _me(client, forged) == 401


def test_key_use_is_recorded(
    client: TestClient, db: Session, partner_key: tuple[Partner, ApiKey, str]
) -> None:
    _, row, key = partner_key
    assert row.last_used_at is None
    before = utcnow()
    assert _me(client, key) == 200
    db.refresh(row)
    assert row.last_used_at is not None and row.last_used_at >= before


def test_only_hashes_of_secrets_are_stored(
    db: Session, auditor: tuple[User, str], partner_key: tuple[Partner, ApiKey, str]
) -> None:
    user, token = auditor
    _, row, key = partner_key
    stored = db.scalars(select(AuthToken).where(AuthToken.user_id == user.id)).one()
    assert stored.token_hash == credentials.digest(token)
    assert row.key_hash == credentials.digest(key)
    assert principal_of(db, stored.token_hash) is None
    assert user.password_hash.startswith("$argon2id$")


def test_secrets_carry_at_least_256_bits() -> None:
    token = credentials.new_session_token()
    prefix, key = credentials.new_api_key()
    assert len(token) - len(credentials.TOKEN_PREFIX) >= 43  # 32 bytes, base64url
    secret = key.removeprefix(f"{credentials.API_KEY_PREFIX}{prefix}_")
    assert len(secret) >= 43


def test_calls_admitted_together_are_answered_each_and_a_key_is_resolved_once(
    db: Session, partner_key: tuple[Partner, ApiKey, str]
) -> None:
    partner, _, key = partner_key
    unknown = key[:-4] + "xxxx"

    outcomes = admit_group(db.connection(), [key, unknown, key])

    (first_ok, (first, first_used)), (unknown_ok, refused), (again_ok, (again, again_used)) = (
        outcomes
    )
    assert first_ok and again_ok and not unknown_ok
    assert isinstance(refused, Unauthorized)
    assert first.id == again.id == partner.id
    assert (first_used, again_used) == (True, False)  # its last use recorded once
