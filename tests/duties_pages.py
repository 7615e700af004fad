"""Helpers for the duties' page tests: a browser-like session cookie and form tokens."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.pages.session import SESSION_COOKIE

_CSRF_FIELD = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


def sign_in(
    client: TestClient, db: Session, login: Callable[..., Any], role: str, city: str | None = None
) -> Any:
    """Make a person of a role and give the client their session cookie, as a browser has."""
    who = login(role, city)
    db.commit()  # a refused request rolls back whatever was not committed
    client.cookies.set(SESSION_COOKIE, who.headers["Authorization"].removeprefix("Bearer "))
    return who


def csrf_of(html: str) -> str:
    found = _CSRF_FIELD.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def post_form(client: TestClient, page_url: str, action_url: str, data: dict[str, Any]) -> Any:
    """Open the page, then submit one of its forms with the page's CSRF token."""
    page = client.get(page_url)
    assert page.status_code == 200, page.text
    return client.post(
        action_url, data={**data, "csrf_token": csrf_of(page.text)}, follow_redirects=False
    )
