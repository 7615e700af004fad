"""Who passes each task-ledger route's gate (collected by the access matrix test)."""

READERS = frozenset({"province_admin", "auditor"})

ENTRIES: list[tuple[str, str, frozenset[str]]] = [
    ("GET", "/api/v1/tasks", READERS),
    ("GET", "/api/v1/tasks/export.xlsx", READERS),
    ("GET", "/api/v1/tasks/{number}", READERS),
    ("GET", "/api/v1/tasks/{number}/reports", READERS),
    ("POST", "/api/v1/tasks/{number}/reports", frozenset({"province_admin"})),
    # Pages
    ("GET", "/tasks", READERS),
    ("GET", "/tasks/export.xlsx", READERS),
    ("GET", "/tasks/{number}", READERS),
    ("POST", "/tasks/{number}/reports", frozenset({"province_admin"})),
]
