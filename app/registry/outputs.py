"""Stored records to the admin API's shapes: masked ID numbers, names of codes, explanations."""

from __future__ import annotations

from datetime import date

from app.core.crypto import KeyRing
from app.core.reference import city_names, name_zh
from app.registry.codes import SKILL_LEVEL_ZH, Condition, MarkerStatus, SkillLevel
from app.registry.eligibility import CONDITION_NAMES, Decision, Reason
from app.registry.identifiers import birth_date_of, mask_id_number
from app.registry.markers import effective_status
from app.registry.models import Marker, Talent, TalentVersion
from app.registry.records import DEPENDENT_ID_CONTEXT, TALENT_ID_CONTEXT, stored_conditions
from app.registry.schemas import (
    BlueCardOut,
    ConditionOut,
    DependentOut,
    EligibilityOut,
    HonorOut,
    MarkerOut,
    ReasonOut,
    TalentDetail,
    TalentListItem,
    VersionOut,
)


def etag(talent: Talent) -> str:
    """A strong ETag: the record's version, bumped by every recorded change."""
    return f'"{talent.version}"'


def talent_detail(
    talent: Talent, decision: Decision, keyring: KeyRing, today: date
) -> TalentDetail:
    id_number = keyring.decrypt(talent.id_cipher, context=TALENT_ID_CONTEXT)
    card = talent.card
    return TalentDetail(
        id=talent.id,
        version=talent.version,
        name=talent.name,
        id_number_masked=mask_id_number(id_number),
        gender="M" if talent.gender == "M" else "F",
        age_band=_age_band(birth_date_of(id_number), today),
        city_code=talent.city_code,
        city_name=city_names().get(talent.city_code, talent.city_code),
        employer=talent.employer,
        employer_uscc=talent.employer_uscc,
        occupation=talent.occupation,
        skill_level=SkillLevel(talent.skill_level),
        skill_level_name_zh=SKILL_LEVEL_ZH[SkillLevel(talent.skill_level)],
        card_no=talent.card_no,
        frontline_since=talent.frontline_since,
        status="retired" if talent.status == "retired" else "filed",
        retired_reason=talent.retired_reason,
        first_filed_on=talent.first_filed_on,
        filed_on=talent.filed_on,
        last_submission_id=talent.last_submission_id,
        conditions=[
            ConditionOut(
                code=Condition(code),
                name_zh=CONDITION_NAMES[Condition(code)][0],
                met=met,
                note=note,
            )
            for code, (met, note) in stored_conditions(talent).items()
        ],
        honors=[
            HonorOut(
                category=h.category,
                category_name_zh=name_zh("categories", h.category),
                title=h.title,
                conferred_by=h.conferred_by,
                year=h.year,
                certificate_no=h.certificate_no,
            )
            for h in talent.honors
        ],
        dependents=[
            DependentOut(
                id=d.id,
                relation=d.relation,
                relation_name_zh=name_zh("relations", d.relation),
                name=d.name,
                id_number_masked=mask_id_number(
                    keyring.decrypt(d.id_cipher, context=DEPENDENT_ID_CONTEXT)
                ),
            )
            for d in talent.dependents
        ],
        marker=marker_out(talent.marker, today) if talent.marker else None,
        eligibility=EligibilityOut(
            eligible=decision.eligible,
            route=decision.route,
            rules_version=decision.rules_version,
            conditions=[_reason(r) for r in decision.conditions],
            categories=[_reason(r) for r in decision.categories],
            summary_zh=decision.summary_zh,
            summary_en=decision.summary_en,
        ),
        blue_card=BlueCardOut(
            card_no=card.card_no,
            city_code=card.city_code,
            occupation=card.occupation,
            skill_level=card.skill_level,
            issued_on=card.issued_on,
        )
        if card
        else None,
    )


def talent_item(talent: Talent, keyring: KeyRing, today: date) -> TalentListItem:
    marker = talent.marker
    return TalentListItem(
        id=talent.id,
        name=talent.name,
        id_number_masked=mask_id_number(
            keyring.decrypt(talent.id_cipher, context=TALENT_ID_CONTEXT)
        ),
        gender="M" if talent.gender == "M" else "F",
        city_code=talent.city_code,
        city_name=city_names().get(talent.city_code, talent.city_code),
        employer=talent.employer,
        occupation=talent.occupation,
        skill_level=SkillLevel(talent.skill_level),
        categories=sorted({h.category for h in talent.honors}),
        status="retired" if talent.status == "retired" else "filed",
        eligible=talent.eligible,
        marker_status=effective_status(marker, today) if marker else None,
        marker_valid_until=marker.valid_until if marker else None,
        filed_on=talent.filed_on,
    )


def marker_out(marker: Marker, today: date) -> MarkerOut:
    return MarkerOut(
        code=marker.code,
        status=MarkerStatus(effective_status(marker, today)),
        granted_on=marker.granted_on,
        valid_until=marker.valid_until,
        reason=marker.reason,
        changed_at=marker.changed_at,
    )


def version_out(version: TalentVersion) -> VersionOut:
    return VersionOut(
        version=version.version,
        occurred_at=version.occurred_at,
        actor=version.actor,
        source="submission" if version.source == "submission" else "admin",
        submission_id=version.submission_id,
        action=version.action,
        reason=version.reason,
        changes=version.changes,
    )


def _age_band(born: date, today: date) -> str:
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    low = max(age, 0) // 10 * 10
    return f"{low}-{low + 9}"


def _reason(reason: Reason) -> ReasonOut:
    return ReasonOut(
        code=reason.code, holds=reason.holds, reason_zh=reason.reason_zh, reason_en=reason.reason_en
    )
