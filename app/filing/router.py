"""City submissions for record-filing (备案): `/api/v1/submissions`, per the contract.

Cities upload and submit; province admins approve or reject; auditors read. The upload is
streamed by `upload.received_form` before the route runs; the route itself is a `def`, so
parsing and validating run in the thread pool, never on the event loop.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Header, Query, Response

from app.access.auth import CityOperator, ProvinceAdmin, RegistryReader
from app.core.db import SessionDep
from app.core.paging import PageNumber, PageSize
from app.core.text_fields import FreeText
from app.filing import queries, review
from app.filing.constants import Outcome, SubmissionStatus
from app.filing.deps import ValidSubmission
from app.filing.intake import take_in
from app.filing.report_csv import report_csv
from app.filing.schemas import (
    RejectIn,
    SubmissionOut,
    SubmissionPage,
    SubmissionPreview,
    SubmissionReport,
    preview_row,
    report_error,
    submission_out,
    submission_summary,
)
from app.filing.templates import template_csv, template_xlsx
from app.filing.upload import SubmissionFormDep
from app.registry.markers import local_today

router = APIRouter(prefix="/api/v1/submissions", tags=["submissions"])

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file", "period"],
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "The submission file: .json, .csv, .xlsx, .xls or .ods",
                        },
                        "period": {"type": "string", "pattern": "^20[0-9]{2}Q[1-4]$"},
                    },
                }
            }
        },
    }
}


@router.post(
    "",
    status_code=201,
    summary="Upload a city's file: every row validated, counted and previewed",
    openapi_extra=_UPLOAD_BODY,
    responses={
        200: {"description": "The same Idempotency-Key and file: the first submission again"},
        413: {"description": "The file is larger than the configured limit"},
    },
)
def create_submission(
    caller: CityOperator,
    form: SubmissionFormDep,
    session: SessionDep,
    response: Response,
    # Stored with the submission: free text like any other.
    idempotency_key: Annotated[FreeText | None, Header(min_length=1, max_length=200)] = None,
) -> SubmissionOut:
    assert caller.city_code is not None  # a city operator is bound to a city
    intake = take_in(
        session,
        caller,
        form.upload,
        city_code=caller.city_code,
        period=form.period,
        idempotency_key=idempotency_key,
        today=local_today(),
    )
    if not intake.created:
        response.status_code = 200
    return submission_out(intake.submission)


@router.get("", summary="List submissions: a city its own, the province and auditors all")
def list_submissions(
    caller: RegistryReader,
    session: SessionDep,
    status: SubmissionStatus | None = None,
    city_code: Annotated[str | None, Query(pattern=r"^[0-9]{6}$")] = None,
    page: PageNumber = 1,
    page_size: PageSize = 50,
) -> SubmissionPage:
    found = queries.list_submissions(
        session, caller, status=status, city_code=city_code, page=page, page_size=page_size
    )
    return SubmissionPage(
        items=[submission_summary(s) for s in found.items],
        total=found.total,
        page=page,
        page_size=page_size,
    )


# Declared before `/{submission_id}`, which would otherwise take these paths.
@router.get(
    "/template.csv",
    summary="The blank CSV template (UTF-8 with BOM), with a sample row",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
def get_template_csv(caller: RegistryReader) -> Response:
    return _download(template_csv(), "text/csv; charset=utf-8", "备案模板.csv", "template.csv")


@router.get(
    "/template.xlsx",
    summary="The blank XLSX template, with a sample row and a legend of the codes",
    response_class=Response,
    responses={200: {"content": {XLSX_TYPE: {}}}},
)
def get_template_xlsx(caller: RegistryReader) -> Response:
    return _download(template_xlsx(), XLSX_TYPE, "备案模板.xlsx", "template.xlsx")


@router.get("/{submission_id}", summary="A submission, with its current status")
def get_submission(caller: RegistryReader, submission: ValidSubmission) -> SubmissionOut:
    return submission_out(submission)


@router.get("/{submission_id}/report", summary="Every row error of the file")
def get_report(
    caller: RegistryReader, submission: ValidSubmission, session: SessionDep
) -> SubmissionReport:
    errors = queries.row_errors(session, submission.id)
    return SubmissionReport(errors=[report_error(e) for e in errors])


@router.get(
    "/{submission_id}/report.csv",
    summary="The row errors as a CSV file for Excel (formula-safe cells)",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
def get_report_csv(
    caller: RegistryReader, submission: ValidSubmission, session: SessionDep
) -> Response:
    body = report_csv(queries.row_errors(session, submission.id))
    name = f"report-{submission.city_code}-{submission.period}.csv"
    return _download(body, "text/csv; charset=utf-8", "备案校验报告-" + name, name)


@router.get("/{submission_id}/preview", summary="What approval would do, row by row")
def get_preview(
    caller: RegistryReader,
    submission: ValidSubmission,
    session: SessionDep,
    outcome: Outcome | None = None,
    page: PageNumber = 1,
    page_size: PageSize = 50,
) -> SubmissionPreview:
    found = queries.preview_rows(
        session, submission.id, outcome=outcome, page=page, page_size=page_size
    )
    return SubmissionPreview(
        items=[preview_row(row) for row in found.items],
        total=found.total,
        page=page,
        page_size=page_size,
        ignored_columns=submission.ignored_columns,
    )


@router.post("/{submission_id}/submit", summary="The city submits a validated file for review")
def submit_submission(
    caller: CityOperator, submission: ValidSubmission, session: SessionDep
) -> SubmissionOut:
    return submission_out(review.submit(session, caller, submission))


@router.post(
    "/{submission_id}/approve",
    summary="Approve: every row filed into the registry at once, or none (409)",
)
def approve_submission(
    caller: ProvinceAdmin, submission: ValidSubmission, session: SessionDep
) -> SubmissionOut:
    return submission_out(review.approve(session, caller, submission, today=local_today()))


@router.post("/{submission_id}/reject", summary="Reject, with the reason, back to the city")
def reject_submission(
    caller: ProvinceAdmin, submission: ValidSubmission, rejection: RejectIn, session: SessionDep
) -> SubmissionOut:
    return submission_out(review.reject(session, caller, submission, reason=rejection.reason))


def _download(body: bytes, media_type: str, filename: str, ascii_name: str) -> Response:
    """An attachment named in Chinese (RFC 6266), with an ASCII name for old clients."""
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    return Response(body, media_type=media_type, headers={"Content-Disposition": disposition})
