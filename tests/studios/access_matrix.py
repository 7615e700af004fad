"""Who passes each studios route's gate (collected by the access matrix test)."""

READERS = frozenset({"province_admin", "city_operator", "auditor"})
PROVINCE = frozenset({"province_admin"})

ENTRIES: list[tuple[str, str, frozenset[str]]] = [
    ("POST", "/api/v1/studios/applications", frozenset({"city_operator", "window_clerk"})),
    ("GET", "/api/v1/studios/applications", READERS),
    ("GET", "/api/v1/studios/applications/{application_id}", READERS),
    ("POST", "/api/v1/studios/applications/{application_id}/accept", PROVINCE),
    ("POST", "/api/v1/studios/applications/{application_id}/approve", PROVINCE),
    ("POST", "/api/v1/studios/applications/{application_id}/reject", PROVINCE),
    ("GET", "/api/v1/studios", READERS),
    ("GET", "/api/v1/talents/{talent_id}/studios", READERS),
    # Pages
    ("GET", "/studios", READERS),
    ("GET", "/studios/new", frozenset({"city_operator", "window_clerk"})),
    ("POST", "/studios/find", frozenset({"city_operator", "window_clerk"})),
    ("POST", "/studios/new", frozenset({"city_operator", "window_clerk"})),
    ("GET", "/studios/{application_id}", READERS),
    ("POST", "/studios/{application_id}/{verb}", PROVINCE),
]
