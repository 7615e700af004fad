"""Who has priority for a service: the decision over the registry rows a query matched.

Pure: the rows, the service and the day come in, the verdict goes out. A person can match
as a holder (their own record) and as a registered dependent of one or more holders; their
own active marker wins, else the holder whose active marker, extending to a dependent of that
relation for this service (`DEPENDENT_SERVICES`), runs longest.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Literal

from app.access.codes import Service
from app.registry.codes import DEPENDENT_SERVICES, Relation
from app.registry.markers import grants_priority

Basis = Literal["holder", "dependent"]


@dataclass(frozen=True, slots=True)
class Match:
    """One registry row for the queried person: their own record (`relation` None) or a
    dependent entry under a holder, with that holder's marker (if any)."""

    relation: str | None
    name: str
    id_cipher: str
    marker_code: str | None
    marker_status: str | None
    valid_until: date | None


@dataclass(frozen=True, slots=True)
class Verdict:
    basis: Basis | None
    match: Match | None

    @property
    def priority(self) -> bool:
        return self.basis is not None


NO_PRIORITY = Verdict(None, None)


@lru_cache
def relations_entitled_to(service: Service) -> frozenset[Relation]:
    """The dependents' relations that get priority for `service` (none for most services)."""
    return frozenset(rel for rel, services in DEPENDENT_SERVICES.items() if service in services)


def decide(matches: Iterable[Match], service: Service, today: date) -> Verdict:
    entitled = relations_entitled_to(service)
    as_dependent: Match | None = None
    for match in matches:
        if not grants_priority(match.marker_status, match.valid_until, today):
            continue
        if match.relation is None:
            return Verdict("holder", match)
        if match.relation in entitled and (
            as_dependent is None or _runs_longer(match, as_dependent)
        ):
            as_dependent = match
    return Verdict("dependent", as_dependent) if as_dependent else NO_PRIORITY


def _runs_longer(match: Match, other: Match) -> bool:
    return (match.valid_until or date.min) > (other.valid_until or date.min)
