"""The authorisation matrix: who may call each route, collected from every domain.

Each `tests/<domain>/access_matrix.py` declares

    ENTRIES: list[tuple[str, str, frozenset[str]]] = [
        ("GET", "/api/v1/talents/{talent_id}", frozenset({"province_admin", "auditor"})),
    ]

method, the route's path template exactly as declared, and the callers its gate admits,
from `CALLERS`: the four roles, "partner" (a partner system, whatever its scopes) and
"anonymous" (a public route: everyone passes). Every route under `/api/` needs exactly one
entry; page routes may declare entries too (they are called with the same bearer headers,
and a refused anonymous caller may be sent to the login page instead of getting a 401).
"""

from __future__ import annotations

import importlib
import uuid
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts

TESTS_DIR = Path(__file__).resolve().parents[1]
ROLES = ("province_admin", "city_operator", "window_clerk", "auditor")
CALLERS = frozenset({*ROLES, "partner", "anonymous"})
IGNORED_METHODS = frozenset({"HEAD", "OPTIONS"})
# Path parameters that a random UUID would not fit; a plausible value gets past parsing.
PLAUSIBLE_PATH_VALUES = {
    "kind": "cities",
    "city_code": "340100",
    "service": "housing",
    "marker_code": "LT-2026-000000",
    "number": "1",
}


@dataclass(frozen=True)
class Entry:
    method: str
    path: str
    allowed: frozenset[str]
    source: str

    @property
    def key(self) -> tuple[str, str]:
        return self.method, self.path

    @property
    def is_api(self) -> bool:
        return self.path.startswith("/api/")

    def admits(self, caller_kind: str) -> bool:
        """Whether the route's gate lets this caller through ("partner_*" are partners)."""
        if "anonymous" in self.allowed:
            return True
        kind = "partner" if caller_kind.startswith("partner") else caller_kind
        return kind in self.allowed

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def collect_entries() -> list[Entry]:
    """Every domain's declared entries, in a stable order."""
    entries: list[Entry] = []
    for file in sorted(TESTS_DIR.glob("*/access_matrix.py")):
        module_name = f"tests.{file.parent.name}.access_matrix"
        module = importlib.import_module(module_name)
        for method, path, allowed in module.ENTRIES:
            entries.append(Entry(method, path, frozenset(allowed), module_name))
    return entries


def route_keys(app: FastAPI) -> set[tuple[str, str]]:
    """(method, path template) of every route the application serves."""
    # Included routers are resolved lazily since FastAPI 0.16x; this walks them with prefixes.
    return {
        (method, context.path)
        for context in iter_route_contexts(app.routes)
        if isinstance(context.original_route, APIRoute) and context.path and context.methods
        for method in context.methods - IGNORED_METHODS
    }


def matrix_problems(app: FastAPI, entries: list[Entry]) -> list[str]:
    """What is wrong with the matrix as a whole: missing, duplicate, stale or bad entries."""
    served = route_keys(app)
    problems: list[str] = []
    seen: dict[tuple[str, str], Entry] = {}
    for entry in entries:
        if entry.key in seen:
            problems.append(f"{entry} is declared twice ({seen[entry.key].source}, {entry.source})")
        seen[entry.key] = entry
        if entry.key not in served:
            problems.append(f"{entry} ({entry.source}) names no route of the application")
        unknown = entry.allowed - CALLERS
        if unknown or not entry.allowed:
            problems.append(f"{entry} ({entry.source}) has bad callers {sorted(unknown)}")
    for method, path in sorted(served):
        if path.startswith("/api/") and (method, path) not in seen:
            problems.append(f"{method} {path} has no entry in any tests/*/access_matrix.py")
    return problems


def sample_path(template: str) -> str:
    """The template with each parameter filled: a plausible value, else a random UUID."""
    path = template
    while "{" in path:
        start = path.index("{")
        end = path.index("}", start)
        name = path[start + 1 : end].split(":")[0]
        value = PLAUSIBLE_PATH_VALUES.get(name, str(uuid.uuid4()))
        path = path[:start] + value + path[end + 1 :]
    return path
