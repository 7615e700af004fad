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

from tests.databases import copied_database, throwaway_database

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


class ReusedApp:
    """One application for the tests of a worker, built again only after a test changed it.

    `create_app()` costs ~0.3 s (every route's dependencies are analysed), more than most
    tests take. The application holds no state of a test's own: its session and
    transactions are the test's through `dependency_overrides`, which are set for each test
    and cleared after it, and settings are read on each request. A test that changes the
    application itself (adds a route, an exception handler, a middleware, state; fetches
    the OpenAPI document it then keeps) is seen to by comparing its shape before and after:
    that application is dropped and the next test gets a new one.
    """

    # Set for each test; built once, on the application's first request.
    UNCOMPARED = frozenset({"dependency_overrides", "middleware_stack"})

    def __init__(self) -> None:
        self._application: FastAPI | None = None
        self._shape: tuple[object, ...] = ()

    def take(self) -> FastAPI:
        from app.main import create_app

        if self._application is None:
            self._application = create_app()
        self._shape = self.shape(self._application)
        return self._application

    def give_back(self, application: FastAPI) -> None:
        application.dependency_overrides.clear()
        if self.shape(application) != self._shape:
            self._application = None

    @classmethod
    def shape(cls, application: FastAPI) -> tuple[object, ...]:
        return tuple(
            cls._members(part) for part in (application, application.router, application.state)
        )

    @classmethod
    def _members(cls, obj: object) -> tuple[object, ...]:
        return tuple(
            (name, _identity(value))
            for name, value in sorted(vars(obj).items())
            if name not in cls.UNCOMPARED
        )


def _identity(value: object) -> object:
    """A value by identity, and a list's or dict's members too (they change in place)."""
    if value is None or isinstance(value, int | float | str | bytes):
        return value
    if isinstance(value, list | tuple):
        return (id(value), *map(id, value))
    if isinstance(value, dict):
        return (id(value), *((key, id(member)) for key, member in value.items()))
    return id(value)


@pytest.fixture(scope="session")
def reused_app() -> ReusedApp:
    return ReusedApp()


@pytest.fixture
def app(db: Session, reused_app: ReusedApp) -> Iterator[FastAPI]:
    from app.core.db import get_session
    from app.core.transactions import Transactions, get_transactions

    application = reused_app.take()

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
    reused_app.give_back(application)


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


@pytest.fixture(scope="session")
def migrated_template_url(
    configured: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A database migrated once for the worker's run, which `fresh_database_url` copies:
    a copy takes a few milliseconds, the 13 migrations ~0.4 s (SQLite) to ~0.9 s (PostgreSQL).
    It holds what `upgrade` makes (schema, reference data, key tasks) and no stored keys,
    which each copy gets from the key file its test sets, as a migrated database does."""
    from app.core.db import get_engine
    from app.ops.migrate import upgrade

    with throwaway_database(tmp_path_factory.mktemp("template")) as url:
        with _pointed_at(url):  # and no connection left open: one in use can't be copied
            upgrade(get_engine())
        yield url


@pytest.fixture
def fresh_database_url(migrated_template_url: str, tmp_path: Path) -> Iterator[str]:
    """A database of its own, migrated, for tests that need real commits and several
    connections (concurrency, crash safety). Settings are pointed at it for the test."""
    from app.core.keys import get_keyring

    with copied_database(migrated_template_url, tmp_path) as url, _pointed_at(url):
        get_keyring()  # the stored keys are made now, not inside a test's transaction
        yield url


@contextmanager
def _pointed_at(url: str) -> Iterator[None]:
    """The application's settings pointed at the database `url` for the block."""
    from app.core.db import get_engine

    previous = os.environ["BLUECARD_DATABASE_URL"]
    os.environ["BLUECARD_DATABASE_URL"] = url
    reset_caches()
    try:
        yield
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
