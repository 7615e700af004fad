"""Test fixtures: a throwaway database migrated with Alembic, one rolled-back transaction
per test, the app's session dependency bound to it, and logins for every role.

`BLUECARD_TEST_DATABASE_URL` picks the server: unset means a SQLite file; a PostgreSQL
URL (e.g. postgresql://postgres@127.0.0.1:5432/test) means a fresh database created on
that server for the run and dropped after it.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session

from tests.databases import throwaway_database

os.environ.setdefault("BLUECARD_ENVIRONMENT", "test")

DEMO_PASSWORD = "Correct-Horse-42"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with throwaway_database(tmp_path_factory.mktemp("db")) as url:
        yield url


@pytest.fixture(scope="session", autouse=True)
def configured(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Point the application's settings at the test database and a test key file."""
    key_file = tmp_path_factory.mktemp("keys") / "bluecard.keys"
    os.environ["BLUECARD_DATABASE_URL"] = database_url
    os.environ["BLUECARD_KEY_FILE"] = str(key_file)
    reset_caches()
    yield
    reset_caches()


def reset_caches() -> None:
    from app.core.db import get_engine, get_sessionmaker
    from app.core.keys import reset_keys
    from app.core.settings import get_settings

    for cached in (get_settings, get_engine, get_sessionmaker):
        cached.cache_clear()
    reset_keys()


@pytest.fixture(scope="session")
def engine(configured: None) -> Iterator[Engine]:
    from app.core.db import get_engine
    from app.core.keys import get_keyring
    from app.ops.migrate import upgrade

    engine = get_engine()
    upgrade(engine)
    get_keyring()  # the stored keys are made now, not inside a test's transaction
    yield engine
    engine.dispose()


@pytest.fixture(autouse=True)
def fresh_reference_codes() -> None:
    """Every test reads the reference lists of its own database, not a copy kept from
    another test's (the process keeps one for a few seconds)."""
    from app.core.reference import forget_active_codes

    forget_active_codes()


@pytest.fixture(autouse=True)
def fresh_rate_limits() -> None:
    """Every test starts with empty rate-limit counters under a prefix of its own."""
    from app.access.ratelimit import reset_limiter

    reset_limiter(key_prefix=f"bluecard-test-{uuid.uuid4().hex[:12]}")


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    """A session whose work is rolled back after the test, commits included."""
    from app.core.keys import get_keyring

    # The keys are read (or, on a database without them, stored) before the test's
    # transaction opens: storing them from inside it would wait on SQLite's write lock.
    get_keyring()
    connection = engine.connect()
    outer = connection.begin()
    session = Session(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    yield session
    session.close()
    if outer.is_active:
        outer.rollback()
    connection.close()


@pytest.fixture
def app(db: Session) -> Iterator[FastAPI]:
    from app.core.db import get_session
    from app.core.transactions import Transactions, get_transactions
    from app.main import create_app

    application = create_app()

    def session_override() -> Iterator[Session]:
        try:
            yield db
            db.commit()
        except BaseException:
            db.rollback()
            raise

    @contextmanager
    def test_transaction(*, read_only: bool = False) -> Iterator[Connection]:
        with db.begin_nested():
            yield db.connection()

    async def transactions_override() -> Transactions:
        return test_transaction

    application.dependency_overrides[get_session] = session_override
    application.dependency_overrides[get_transactions] = transactions_override
    yield application


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@dataclass(frozen=True)
class Login:
    username: str
    role: str
    city_code: str | None
    headers: dict[str, str]


@pytest.fixture
def login(db: Session) -> Callable[..., Login]:
    """Make a user of a role (and city) and return bearer headers for them."""
    from app.access import service
    from app.core.audit import SYSTEM

    def make(role: str, city_code: str | None = None) -> Login:
        username = f"{role}-{uuid.uuid4().hex[:8]}"
        user = service.create_user(
            db, SYSTEM, username=username, password=DEMO_PASSWORD, role=role, city_code=city_code
        )
        token = service.issue_token(db, user)
        # Released into the test's transaction, so a refused request can't roll it back.
        db.commit()
        return Login(username, role, city_code, {"Authorization": f"Bearer {token.token}"})

    return make


@dataclass(frozen=True)
class PartnerLogin:
    partner_id: uuid.UUID
    name: str
    headers: dict[str, str]


@pytest.fixture
def partner_login(db: Session) -> Callable[..., PartnerLogin]:
    """Make a partner system with scopes and return bearer headers for its API key."""
    from app.access import service
    from app.core.audit import SYSTEM

    def make(scopes: list[str], disclose_person: bool = False) -> PartnerLogin:
        name = f"partner-{uuid.uuid4().hex[:8]}"
        partner = service.create_partner(
            db, SYSTEM, name=name, agency="测试机关", scopes=scopes, disclose_person=disclose_person
        )
        _, key = service.issue_api_key(db, SYSTEM, partner)
        db.commit()
        return PartnerLogin(partner.id, name, {"Authorization": f"Bearer {key}"})

    return make


@pytest.fixture
def fresh_database_url(tmp_path: Path) -> Iterator[str]:
    """A database of its own, migrated, for tests that need real commits and several
    connections (concurrency, crash safety). Settings are pointed at it for the test."""
    from app.core.db import get_engine
    from app.core.keys import get_keyring
    from app.ops.migrate import upgrade

    previous = os.environ["BLUECARD_DATABASE_URL"]
    with throwaway_database(tmp_path) as url:
        os.environ["BLUECARD_DATABASE_URL"] = url
        reset_caches()
        upgrade(get_engine())
        get_keyring()  # the stored keys are made now, not inside a test's transaction
        try:
            yield url
        finally:
            get_engine().dispose()
            os.environ["BLUECARD_DATABASE_URL"] = previous
            reset_caches()


@pytest.fixture
def override_settings() -> Iterator[Callable[..., None]]:
    """Set `BLUECARD_*` variables for one test (`override_settings(login_max_failures=3)`)."""
    saved: dict[str, str | None] = {}

    def override(**values: object) -> None:
        for name, value in values.items():
            variable = f"BLUECARD_{name.upper()}"
            saved.setdefault(variable, os.environ.get(variable))
            os.environ[variable] = str(value)
        _settings_changed()

    yield override
    for variable, value in saved.items():
        if value is None:
            os.environ.pop(variable, None)
        else:
            os.environ[variable] = value
    _settings_changed()


def _settings_changed() -> None:
    from app.core.settings import get_settings

    get_settings.cache_clear()
