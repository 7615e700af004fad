"""Fixtures shared by this folder's tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session

from tests.conftest import Login


@pytest.fixture
def province(login: Callable[..., Login], db: Session) -> Login:
    """A province admin, committed: a refused request rolls back what was not committed."""
    who = login("province_admin")
    db.commit()
    return who
