"""Codes of direct project reporting, with the Chinese names clerks see."""

from __future__ import annotations

from enum import StrEnum


class ProjectType(StrEnum):
    skill_master_studio = "skill_master_studio"
    craftsman_innovation_studio = "craftsman_innovation_studio"


class ApplicationStatus(StrEnum):
    submitted = "submitted"
    in_review = "in_review"
    approved = "approved"
    rejected = "rejected"


PROJECT_TYPE_ZH: dict[ProjectType, str] = {
    ProjectType.skill_master_studio: "技能大师工作室",
    ProjectType.craftsman_innovation_studio: "劳模和工匠人才创新工作室",
}

STATUS_ZH: dict[ApplicationStatus, str] = {
    ApplicationStatus.submitted: "已报送，待受理",
    ApplicationStatus.in_review: "评审中",
    ApplicationStatus.approved: "已批准",
    ApplicationStatus.rejected: "未批准",
}

# The first batch year: the notice (task 19) dates from 2018.
FIRST_BATCH_YEAR = 2018
