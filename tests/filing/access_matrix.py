"""Who passes each submissions route's gate (collected by the access matrix test)."""

READERS = frozenset({"province_admin", "city_operator", "auditor"})
CITY = frozenset({"city_operator"})
PROVINCE = frozenset({"province_admin"})
OVERSIGHT = frozenset({"province_admin", "auditor"})

ENTRIES: list[tuple[str, str, frozenset[str]]] = [
    ("POST", "/api/v1/submissions", CITY),
    ("GET", "/api/v1/submissions", READERS),
    ("GET", "/api/v1/submissions/template.csv", READERS),
    ("GET", "/api/v1/submissions/template.xlsx", READERS),
    ("GET", "/api/v1/submissions/{submission_id}", READERS),
    ("GET", "/api/v1/submissions/{submission_id}/report", READERS),
    ("GET", "/api/v1/submissions/{submission_id}/report.csv", READERS),
    ("GET", "/api/v1/submissions/{submission_id}/preview", READERS),
    ("POST", "/api/v1/submissions/{submission_id}/submit", CITY),
    ("POST", "/api/v1/submissions/{submission_id}/withdraw", CITY),
    ("POST", "/api/v1/submissions/{submission_id}/approve", PROVINCE),
    ("POST", "/api/v1/submissions/{submission_id}/reject", PROVINCE),
    ("GET", "/api/v1/filing/calendar", OVERSIGHT),
]
