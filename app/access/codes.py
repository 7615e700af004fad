"""Who may do what: the roles of people and the services partners are scoped to.

Access owns these codes (the registry, lookups and pages read them from here), so access
needs nothing of the registry.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    province_admin = "province_admin"
    city_operator = "city_operator"
    window_clerk = "window_clerk"
    auditor = "auditor"


class Service(StrEnum):
    """The priority services a partner's scope can name (`priority:<service>`)."""

    employment = "employment"
    social_insurance = "social_insurance"
    medical = "medical"
    education = "education"
    housing = "housing"
    hukou = "hukou"


def scope_for(service: Service | str) -> str:
    """The partner scope that allows lookups for `service`, e.g. `priority:housing`."""
    return f"priority:{Service(service)}"
