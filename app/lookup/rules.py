"""Who has priority for a service: the decision over the registry rows a query matched.

Pure: the rows, the service and the day come in, the verdict goes out. A person can match
as a holder (their own record) and as a registered dependent of one or more holders; their
own active marker wins, else the holder whose active marker, extending to a dependent of that
relation for this service (`DEPENDENT_SERVICES`, under `dependent_entitled`), runs longest.
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
    # A dependent's: listed as a job seeker on the holder's open assistance case.
    job_seeker: bool = False
    # A child's, read from their ID number, when the service asked about needs it.
    birth_date: date | None = None


@dataclass(frozen=True, slots=True)
class Verdict:
    basis: Basis | None
    match: Match | None

    @property
    def priority(self) -> bool:
        return self.basis is not None


NO_PRIORITY = Verdict(None, None)


@lru_cache
def relations_entitled_to(service: str) -> frozenset[Relation]:
    """The dependents' relations that get priority for `service`: none for most services,
    and none for a service the province added (the notice extends only education and
    employment to dependents)."""
    return frozenset(rel for rel, services in DEPENDENT_SERVICES.items() if service in services)


def decide(matches: Iterable[Match], service: str, today: date) -> Verdict:
    entitled = relations_entitled_to(service)
    as_dependent: Match | None = None
    for match in matches:
        if not grants_priority(match.marker_status, match.valid_until, today):
            continue
        if match.relation is None:
            return Verdict("holder", match)
        if (
            match.relation in entitled
            and dependent_entitled(match, service, today)
            and (as_dependent is None or _runs_longer(match, as_dependent))
        ):
            as_dependent = match
    return Verdict("dependent", as_dependent) if as_dependent else NO_PRIORITY


# Compulsory-education age, both ends included (task 10: 子女就地就近接受义务教育).
SCHOOL_AGES = range(6, 16)


def dependent_entitled(match: Match, service: str, today: date) -> bool:
    """What the notice gives a dependent of an entitled relation (contract): a child's
    education while of compulsory-education age on `today`; employment only while the
    holder's open assistance case lists them as wanting work."""
    if service == Service.education:
        return match.birth_date is not None and age_on(match.birth_date, today) in SCHOOL_AGES
    if service == Service.employment:
        return match.job_seeker
    return False


def age_on(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _runs_longer(match: Match, other: Match) -> bool:
    return (match.valid_until or date.min) > (other.valid_until or date.min)
