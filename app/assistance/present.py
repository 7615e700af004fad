"""Assistance cases as each response shows them: days open counted to `today`, dependents'
ID numbers masked."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import object_session

from app.assistance.constants import CASE_STATUS_ZH, SERVICE_KIND_ZH, CaseStatus, ServiceKind
from app.assistance.models import AssistanceCase, AssistanceService
from app.assistance.schemas import (
    AssistanceSummary,
    CaseDependentOut,
    CaseOut,
    CaseSummary,
    CityOpenCases,
    ServiceOut,
)
from app.assistance.service import city_name, days_open, masked_dependent_id
from app.core.reference import city_names, name_zh, refresh_labels


def case_summary(case: AssistanceCase, today: date) -> CaseSummary:
    status = CaseStatus(case.status)
    return CaseSummary(
        id=case.id,
        talent_id=case.talent_id,
        talent_name=case.talent.name,
        city_code=case.city_code,
        city_name=city_name(case.city_code),
        employer=case.employer,
        status=status,
        status_name=CASE_STATUS_ZH[status],
        opened_on=case.opened_on,
        closed_on=case.closed_on,
        days_open=days_open(case, today),
    )


def case_out(case: AssistanceCase, today: date) -> CaseOut:
    if (session := object_session(case)) is not None:  # a relation the province added
        refresh_labels(session.connection(), "relations")
    dependents = [
        CaseDependentOut(
            id=d.id,
            relation=d.relation,
            relation_name=name_zh("relations", d.relation),
            name=d.name,
            id_number_masked=masked_dependent_id(d),
        )
        for d in case.talent.dependents
    ]
    return CaseOut(
        **case_summary(case, today).model_dump(),
        situation=case.situation,
        measures=case.measures,
        opened_by=case.opened_by,
        closed_by=case.closed_by,
        result=case.result,
        services=[service_out(s) for s in case.services],
        dependents=dependents,
        job_seekers=case.job_seekers,
    )


def service_out(service: AssistanceService) -> ServiceOut:
    kind = ServiceKind(service.kind)
    return ServiceOut(
        id=service.id,
        dependent_id=service.dependent_id,
        dependent_relation=service.dependent_relation,
        dependent_name=service.dependent_name,
        dependent_id_masked=service.dependent_id_masked,
        kind=kind,
        kind_name=SERVICE_KIND_ZH[kind],
        service_date=service.service_date,
        outcome=service.outcome,
        recorded_by=service.recorded_by,
        recorded_at=service.recorded_at,
    )


def assistance_summary(open_by_city: dict[str, tuple[int, date]], today: date) -> AssistanceSummary:
    """Every city in the province's order, those without open cases included."""
    cities = []
    for code, name in city_names().items():
        count, oldest = open_by_city.get(code, (0, None))
        cities.append(
            CityOpenCases(
                city_code=code,
                city_name=name,
                open_cases=count,
                oldest_opened_on=oldest,
                longest_days_open=(today - oldest).days if oldest else None,
            )
        )
    return AssistanceSummary(
        as_of=today, open_cases=sum(c.open_cases for c in cities), cities=cities
    )
