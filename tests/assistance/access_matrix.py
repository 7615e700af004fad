"""Who passes each assistance route's gate (collected by the access matrix test)."""

READERS = frozenset({"province_admin", "city_operator", "auditor"})
CITY = frozenset({"city_operator"})

ENTRIES: list[tuple[str, str, frozenset[str]]] = [
    ("POST", "/api/v1/assistance/cases", CITY),
    ("GET", "/api/v1/assistance/cases", READERS),
    ("GET", "/api/v1/assistance/summary", frozenset({"province_admin", "auditor"})),
    ("GET", "/api/v1/assistance/cases/{case_id}", READERS),
    ("PATCH", "/api/v1/assistance/cases/{case_id}", CITY),
    ("POST", "/api/v1/assistance/cases/{case_id}/services", CITY),
    ("POST", "/api/v1/assistance/cases/{case_id}/close", CITY),
    # Pages
    ("GET", "/assistance", READERS),
    ("GET", "/assistance/new", CITY),
    ("POST", "/assistance/find", CITY),
    ("POST", "/assistance/new", CITY),
    ("GET", "/assistance/{case_id}", READERS),
    ("POST", "/assistance/{case_id}/{verb}", CITY),
]
