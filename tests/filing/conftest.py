"""Fixtures of the filing tests: a city operator of each of two cities, a province admin."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.conftest import Login
from tests.filing.api import HOLDER_CITY, OTHER_CITY

LoginMaker = Callable[..., Login]


@pytest.fixture
def city(login: LoginMaker) -> Login:
    return login("city_operator", HOLDER_CITY)


@pytest.fixture
def other_city(login: LoginMaker) -> Login:
    return login("city_operator", OTHER_CITY)


@pytest.fixture
def province(login: LoginMaker) -> Login:
    return login("province_admin")
