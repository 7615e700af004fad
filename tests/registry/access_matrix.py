"""Who passes each registry route's gate (collected by the access helper's matrix test)."""

from __future__ import annotations

READERS = frozenset({"province_admin", "city_operator", "auditor"})
ADMIN = frozenset({"province_admin"})

ENTRIES: list[tuple[str, str, frozenset[str]]] = [
    ("GET", "/api/v1/talents", READERS),
    ("GET", "/api/v1/talents/{talent_id}", READERS),
    ("GET", "/api/v1/talents/{talent_id}/history", READERS),
    ("PATCH", "/api/v1/talents/{talent_id}", ADMIN),
    ("POST", "/api/v1/talents/{talent_id}/marker/suspend", ADMIN),
    ("POST", "/api/v1/talents/{talent_id}/marker/reinstate", ADMIN),
    ("POST", "/api/v1/talents/{talent_id}/marker/revoke", ADMIN),
    ("POST", "/api/v1/talents/{talent_id}/marker/grant", ADMIN),
    ("POST", "/api/v1/talents/{talent_id}/retire", ADMIN),
    ("GET", "/api/v1/talents/{talent_id}/status", READERS),
    ("GET", "/api/v1/statistics/registry", READERS),
    ("GET", "/api/v1/statistics/marker-changes", READERS),
    ("GET", "/api/v1/statistics/lookups", READERS),
    ("GET", "/api/v1/statistics/activity", READERS),
    ("GET", "/api/v1/statistics/report.xlsx", READERS),
]
