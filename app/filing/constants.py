"""The statuses of a submission, the outcomes of its rows, and their Chinese names."""

from __future__ import annotations

from enum import StrEnum


class SubmissionStatus(StrEnum):
    validated = "validated"  # every row valid: the city may submit it for review
    invalid = "invalid"  # some row has an error: the city fixes the file and uploads again
    pending_review = "pending_review"
    applied = "applied"
    rejected = "rejected"
    withdrawn = "withdrawn"  # taken back by the city before it was ever submitted


class Outcome(StrEnum):
    """What approving a valid row would do to the registry."""

    create = "create"
    update = "update"
    retire = "retire"
    unchanged = "unchanged"


STATUS_ZH: dict[SubmissionStatus, str] = {
    SubmissionStatus.validated: "校验通过",
    SubmissionStatus.invalid: "校验未通过",
    SubmissionStatus.pending_review: "待审核",
    SubmissionStatus.applied: "已备案",
    SubmissionStatus.rejected: "已退回",
    SubmissionStatus.withdrawn: "已撤回",
}
# An upload the city may withdraw: it was never submitted for review.
WITHDRAWABLE = (SubmissionStatus.validated, SubmissionStatus.invalid)

# The keys of `Submission.counts`, in the contract's order. `errors` counts rows with at
# least one error, so rows = errors + create + update + retire + unchanged.
COUNT_KEYS = ("rows", "errors", *(outcome.value for outcome in Outcome))

# A reporting period: a year and its quarter, e.g. 2026Q4.
PERIOD_PATTERN = r"^20[0-9]{2}Q[1-4]$"
