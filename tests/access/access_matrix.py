"""Who passes each access route's gate (collected by the access matrix test)."""

PEOPLE = frozenset({"province_admin", "city_operator", "window_clerk", "auditor"})
ADMIN = frozenset({"province_admin"})
ANYONE = frozenset({"anonymous"})

ENTRIES: list[tuple[str, str, frozenset[str]]] = [
    ("POST", "/api/v1/auth/token", ANYONE),
    ("POST", "/api/v1/auth/logout", PEOPLE),
    ("GET", "/api/v1/auth/me", PEOPLE | {"partner"}),
    ("GET", "/api/v1/admin/users", ADMIN),
    ("POST", "/api/v1/admin/users", ADMIN),
    ("GET", "/api/v1/admin/users/{user_id}", ADMIN),
    ("PATCH", "/api/v1/admin/users/{user_id}", ADMIN),
    ("POST", "/api/v1/admin/users/{user_id}/password", ADMIN),
    ("POST", "/api/v1/admin/users/{user_id}/unlock", ADMIN),
    ("GET", "/api/v1/admin/partners", ADMIN),
    ("POST", "/api/v1/admin/partners", ADMIN),
    ("GET", "/api/v1/admin/partners/{partner_id}", ADMIN),
    ("PATCH", "/api/v1/admin/partners/{partner_id}", ADMIN),
    ("GET", "/api/v1/admin/partners/{partner_id}/keys", ADMIN),
    ("POST", "/api/v1/admin/partners/{partner_id}/keys", ADMIN),
    ("POST", "/api/v1/admin/partners/{partner_id}/keys/{key_id}/revoke", ADMIN),
    # The foundation's routes (app/core): tests/core has no matrix file of its own.
    ("GET", "/api/v1/reference/{kind}", ANYONE),
    ("POST", "/api/v1/reference/{kind}", ADMIN),
    ("GET", "/api/v1/markers/waiting", ADMIN),
    ("GET", "/api/v1/markers/changes", ADMIN),
    ("PATCH", "/api/v1/reference/{kind}/{code}", ADMIN),
    ("GET", "/api/v1/audit/verify", frozenset({"province_admin", "auditor"})),
    ("GET", "/api/v1/audit/events", frozenset({"province_admin", "auditor"})),
]
