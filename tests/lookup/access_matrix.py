"""Who passes each lookup route's gate (collected by the access helper's matrix test)."""

from __future__ import annotations

ENTRIES: list[tuple[str, str, frozenset[str]]] = [
    ("POST", "/api/v1/priority/lookup", frozenset({"window_clerk", "partner"})),
    ("POST", "/api/v1/priority/lookups", frozenset({"partner"})),
    (
        "GET",
        "/api/v1/talents/{talent_id}/access-log",
        frozenset({"province_admin", "city_operator", "auditor"}),
    ),
    ("GET", "/api/v1/lookups/mine", frozenset({"window_clerk"})),
]
