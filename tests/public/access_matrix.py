"""Who passes each public route's gate: anyone (collected by the access matrix test)."""

from __future__ import annotations

ANYONE = frozenset({"anonymous"})

ENTRIES: list[tuple[str, str, frozenset[str]]] = [
    ("GET", "/api/v1/public/roster", ANYONE),
    ("GET", "/api/v1/public/roster.csv", ANYONE),
    ("GET", "/api/v1/public/verify/{marker_code}", ANYONE),
    ("GET", "/api/v1/public/verify/{marker_code}/qr.png", ANYONE),
    ("GET", "/api/v1/public/roster/snapshot", ANYONE),
    ("GET", "/api/v1/public/signing-keys", ANYONE),
]
