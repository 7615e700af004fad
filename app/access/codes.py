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
    """The services the notice names, whose lookup rules are written in `lookup.rules`.

    The province adds others (the notice: 就业、社会保险、医疗、教育、购房、落户等) as rows
    of the reference list `services`; any active code there is a service a partner's scope
    can name (`priority:<code>`). A service added so gives priority to active marker holders
    themselves, never to dependents (the notice extends only education and employment).
    """

    employment = "employment"
    social_insurance = "social_insurance"
    medical = "medical"
    education = "education"
    housing = "housing"
    hukou = "hukou"


SCOPE_PREFIX = "priority:"


def scope_for(service: str) -> str:
    """The partner scope that allows lookups for `service`, e.g. `priority:housing`."""
    return f"{SCOPE_PREFIX}{service}"


# The scopes of the services the notice names (the province's list may hold more).
NOTICE_SCOPES: tuple[str, ...] = tuple(scope_for(s) for s in Service)
