"""Fixtures for the pages: a live server on its own migrated database, people of every
role, and a real browser (Playwright driving Debian's Chromium) with a screenshot helper.

The browser tests are skipped, with the reason, only when `/usr/bin/chromium` is absent
(`apt-get install chromium fonts-noto-cjk`; CI installs both).
"""

from __future__ import annotations

import html
import os
import re
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.conftest import DEMO_PASSWORD, Login, reset_caches
from tests.databases import throwaway_database

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
OFFICE_SCREEN = {"width": 1366, "height": 768}
PHONE_SCREEN = {"width": 390, "height": 844}

needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="browser tests need Debian's Chromium at /usr/bin/chromium "
    "(apt-get install chromium fonts-noto-cjk)",
)


@pytest.fixture(autouse=True)
def fresh_rate_limits() -> None:
    """Each test starts with no login attempts counted (they all come from one address)."""
    from app.access.ratelimit import reset_limiter

    reset_limiter()


_CSRF_FIELD = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


def csrf_of(html: str) -> str:
    """The CSRF token of the first form on a page."""
    found = _CSRF_FIELD.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


_CONFIRM_FORM = re.compile(
    r'class="panel confirm".*?<form method="post" action="([^"]+)">(.*?)</form>', re.S
)
_HIDDEN_FIELD = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


def confirm(client: TestClient, asked: Any, **options: Any) -> Any:
    """Press the button of a confirmation page (`asked`, the answer to the first POST), as
    a browser would: its form's hidden fields, CSRF token and `confirmed` included."""
    found = _CONFIRM_FORM.search(asked.text)
    assert found, "the answer is not a confirmation page"
    action, body = found.groups()
    fields: dict[str, list[str]] = {}
    for name, value in _HIDDEN_FIELD.findall(body):
        fields.setdefault(name, []).append(html.unescape(value))
    return client.post(html.unescape(action), data=fields, **options)


@pytest.fixture
def sign_in(client: TestClient, login: Callable[..., Login], db: Session) -> Callable[..., Login]:
    """Make a person of a role and give the test client their session cookie."""
    from app.pages.session import SESSION_COOKIE

    def make(role: str, city_code: str | None = None) -> Login:
        who = login(role, city_code)
        db.commit()  # kept when a refused request rolls the request's work back
        client.cookies.set(SESSION_COOKIE, who.headers["Authorization"].removeprefix("Bearer "))
        return who

    return make


@dataclass(frozen=True)
class LiveServer:
    url: str

    def session(self) -> AbstractContextManager[Session]:
        """A committed transaction on the server's database, for seeding through services."""
        from app.core.db import session_scope

        return session_scope()

    def make_user(self, role: str, username: str, city_code: str | None = None) -> str:
        from app.access import service
        from app.core.audit import SYSTEM

        with self.session() as session:
            service.create_user(
                session,
                SYSTEM,
                username=username,
                password=DEMO_PASSWORD,
                role=role,
                city_code=city_code,
                display_name=username,
            )
        return username


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The real application served by uvicorn on a free port, on a database of its own."""
    from app.access.ratelimit import reset_limiter
    from app.core.db import get_engine
    from app.main import create_app
    from app.ops.migrate import upgrade

    previous = {
        k: os.environ.get(k) for k in ("BLUECARD_DATABASE_URL", "BLUECARD_RATE_LIMIT_LOGIN")
    }
    with throwaway_database(tmp_path_factory.mktemp("live")) as url:
        os.environ["BLUECARD_DATABASE_URL"] = url
        # Every journey logs in from 127.0.0.1; the login limit is not what they test.
        os.environ["BLUECARD_RATE_LIMIT_LOGIN"] = "1000/minute"
        reset_caches()
        reset_limiter()
        upgrade(get_engine())
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        server = uvicorn.Server(uvicorn.Config(create_app(), log_level="warning"))
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        try:
            _wait_until_started(server, thread)
            yield LiveServer(f"http://127.0.0.1:{port}")
        finally:
            server.should_exit = True
            thread.join()
            sock.close()
            get_engine().dispose()
            for key, value in previous.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
            reset_caches()
            reset_limiter()


def _wait_until_started(server: uvicorn.Server, thread: threading.Thread) -> None:
    stop = threading.Event()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("the live server stopped before it started")
        stop.wait(0.05)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh browser profile (no cookies) at office-screen size, in Chinese."""
    context = browser.new_context(viewport=OFFICE_SCREEN, locale="zh-CN")
    context.set_default_timeout(15_000)
    opened = context.new_page()
    yield opened
    context.close()


# Form controls a screen reader could not name: no <label>, no aria-label.
_UNLABELLED_CONTROLS = """() => Array.from(
  document.querySelectorAll('input:not([type=hidden]), select, textarea')
).filter(el => el.labels.length === 0 && !el.getAttribute('aria-label')).map(el => el.name)"""


@pytest.fixture
def screenshot() -> Callable[[Any, str], Path]:
    """Save the whole page to `screenshots/<name>.png` for review, after checking that it
    is in Chinese and every form control on it has a label."""
    SCREENSHOTS.mkdir(exist_ok=True)

    def take(browser_page: Any, name: str) -> Path:
        assert browser_page.get_attribute("html", "lang") == "zh-CN"
        assert browser_page.evaluate(_UNLABELLED_CONTROLS) == []
        path = SCREENSHOTS / f"{name}.png"
        browser_page.screenshot(path=str(path), full_page=True)
        return path

    return take


def log_in(page: Any, server: LiveServer, username: str) -> None:
    page.goto(f"{server.url}/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
