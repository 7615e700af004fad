"""Codes of direct project reporting, with the Chinese names clerks see. The programmes
themselves (技能大师工作室, 劳模和工匠人才创新工作室 and those the province adds, each
with its owning unit) are the reference list `studio-programmes`."""

from __future__ import annotations

from enum import StrEnum


class ApplicationStatus(StrEnum):
    submitted = "submitted"
    in_review = "in_review"
    approved = "approved"
    rejected = "rejected"


STATUS_ZH: dict[ApplicationStatus, str] = {
    ApplicationStatus.submitted: "已报送，待受理",
    ApplicationStatus.in_review: "评审中",
    ApplicationStatus.approved: "已批准",
    ApplicationStatus.rejected: "未批准",
}

PROGRAMMES = "studio-programmes"  # the reference kind
# The first batch year: the notice (task 19) dates from 2018.
FIRST_BATCH_YEAR = 2018
