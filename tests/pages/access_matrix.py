"""Who passes each page's gate (collected by the access matrix test). Public pages (the
roster, marker verification, login) need no entry; every page behind a login has one."""

PEOPLE = frozenset({"province_admin", "city_operator", "window_clerk", "auditor"})
READERS = frozenset({"province_admin", "city_operator", "auditor"})
PROVINCE = frozenset({"province_admin"})
CLERK = frozenset({"window_clerk"})
AUDIT = frozenset({"province_admin", "auditor"})
CITY = frozenset({"city_operator"})

ENTRIES: list[tuple[str, str, frozenset[str]]] = [
    ("POST", "/logout", PEOPLE),
    ("GET", "/counter", CLERK),
    ("POST", "/counter/lookup", CLERK),
    ("GET", "/city", CITY),
    ("POST", "/city/submissions", CITY),
    ("GET", "/city/submissions/{submission_id}", CITY),
    ("POST", "/city/submissions/{submission_id}/submit", CITY),
    ("GET", "/city/submissions/{submission_id}/report.csv", CITY),
    ("GET", "/city/templates/template.csv", CITY),
    ("GET", "/city/templates/template.xlsx", CITY),
    ("GET", "/province", PROVINCE),
    ("GET", "/province/submissions/{submission_id}", PROVINCE),
    ("POST", "/province/submissions/{submission_id}/approve", PROVINCE),
    ("POST", "/province/submissions/{submission_id}/reject", PROVINCE),
    ("GET", "/province/submissions/{submission_id}/report.csv", PROVINCE),
    ("GET", "/talents", READERS),
    ("GET", "/talents/{talent_id}", READERS),
    ("POST", "/talents/{talent_id}/marker/{verb}", PROVINCE),
    ("GET", "/partners", PROVINCE),
    ("GET", "/province/reference", PROVINCE),
    ("POST", "/province/reference/{kind}", PROVINCE),
    ("POST", "/province/reference/{kind}/{code}", PROVINCE),
    ("POST", "/partners", PROVINCE),
    ("GET", "/partners/{partner_id}", PROVINCE),
    ("POST", "/partners/{partner_id}/keys", PROVINCE),
    ("POST", "/partners/{partner_id}/keys/{key_id}/revoke", PROVINCE),
    ("GET", "/audit", AUDIT),
    ("GET", "/audit/verify", AUDIT),
    ("GET", "/oversight/calendar", AUDIT),
    ("GET", "/oversight/reviews", AUDIT),
    ("GET", "/oversight/reviews/{which}", AUDIT),
    ("GET", "/oversight/reviews/{which}/export.xlsx", AUDIT),
    ("GET", "/oversight/assistance", AUDIT),
    ("GET", "/oversight/assistance/export.xlsx", AUDIT),
    ("GET", "/oversight/statistics", READERS),
    ("GET", "/oversight/statistics/report.xlsx", READERS),
]
