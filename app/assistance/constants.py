"""Codes of assistance cases, with the Chinese names clerks see."""

from __future__ import annotations

from enum import StrEnum


class CaseStatus(StrEnum):
    open = "open"
    closed = "closed"


class ServiceKind(StrEnum):
    """The services the notice names for a spouse or child who wants work and has none."""

    career_guidance = "career_guidance"
    skills_training = "skills_training"
    job_referral = "job_referral"


CASE_STATUS_ZH: dict[CaseStatus, str] = {CaseStatus.open: "帮扶中", CaseStatus.closed: "已办结"}

SERVICE_KIND_ZH: dict[ServiceKind, str] = {
    ServiceKind.career_guidance: "职业指导",
    ServiceKind.skills_training: "技能培训",
    ServiceKind.job_referral: "职业介绍",
}
