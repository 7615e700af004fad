"""City submissions for record-filing (备案): `/api/v1/submissions`, per the contract.

Cities upload and submit; province admins approve or reject; auditors read. The upload is
streamed by `upload.received_form` before the route runs; the route itself is a `def`, so
parsing and validating run in the thread pool, never on the event loop.
"""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Header, Query, Response

from app.access.auth import CityOperator, ProvinceAdmin, RegistryReader
from app.core.db import SessionDep
from app.core.keyset import Cursor
from app.core.openapi_doc import binary, errors
from app.core.paging import PageNumber, PageSize
from app.core.settings import get_settings
from app.core.text_fields import FreeText
from app.core.transactions import TransactionsDep
from app.filing import queries, review
from app.filing.constants import Outcome, SubmissionStatus
from app.filing.deps import ValidSubmission
from app.filing.intake import reading_session, take_in
from app.filing.report_csv import report_csv
from app.filing.retention import rows_kept_until
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
from app.registry.records import added_categories

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
                        "period": {
                            "type": "string",
                            "pattern": "^20[0-9]{2}Q[1-4]$",
                            "description": "The quarter filed, one that has begun",
                            "examples": ["2026Q4"],
                        },
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
        200: {
            "model": SubmissionOut,
            "description": "The same Idempotency-Key and file: the first submission again",
        },
        **errors(413),
    },
)
def submission_create(
    caller: CityOperator,
    form: SubmissionFormDep,
    session: SessionDep,
    transactions: TransactionsDep,
    response: Response,
    # Stored with the submission: free text like any other.
    idempotency_key: Annotated[FreeText | None, Header(min_length=1, max_length=200)] = None,
) -> SubmissionOut:
    """Uploads a city's filing file (.json, .csv or .xlsx) for a quarter: every row is
    validated, counted and previewed, nothing is filed yet. City operators only, for their
    own city; the same Idempotency-Key and file answer the first submission again (200). The
    upload is stored and audited."""
    assert caller.city_code is not None  # a city operator is bound to a city
    intake = take_in(
        session,
        caller,
        form.upload,
        city_code=caller.city_code,
        period=form.period,
        idempotency_key=idempotency_key,
        today=local_today(),
        reader=partial(reading_session, transactions),
    )
    if not intake.created:
        response.status_code = 200
    return submission_out(intake.submission)


@router.get("", summary="List submissions: a city its own, the province and auditors all")
def submission_list(
    caller: RegistryReader,
    session: SessionDep,
    status: SubmissionStatus | None = None,
    city_code: Annotated[str | None, Query(pattern=r"^[0-9]{6}$")] = None,
    cursor: Cursor = None,
    limit: PageSize = 50,
) -> SubmissionPage:
    """Lists submissions, filtered by status and city. A city operator sees its own city's,
    province admins and auditors all; records nothing."""
    found = queries.list_submissions(
        session, caller, status=status, city_code=city_code, cursor=cursor, limit=limit
    )
    return SubmissionPage(
        items=[submission_summary(s) for s in found.items], next_cursor=found.next_cursor
    )


# Declared before `/{submission_id}`, which would otherwise take these paths.
@router.get(
    "/template.csv",
    summary="The blank CSV template (UTF-8 with BOM), with a sample row",
    response_class=Response,
    responses=binary("text/csv", "The CSV template (UTF-8 with BOM)"),
)
def submission_template_csv(caller: RegistryReader) -> Response:
    """The blank CSV filing template (UTF-8 with BOM) with a sample row. Province admins,
    auditors and city operators; records nothing."""
    return _download(template_csv(), "text/csv; charset=utf-8", "备案模板.csv", "template.csv")


@router.get(
    "/template.xlsx",
    summary="The blank XLSX template, with a sample row and a legend of the codes",
    response_class=Response,
    responses=binary(XLSX_TYPE, "The XLSX template"),
)
def submission_template_xlsx(caller: RegistryReader, session: SessionDep) -> Response:
    """The blank XLSX filing template with a sample row and a legend of the codes (the
    province's active categories and relations among them). Province admins, auditors and
    city operators; records nothing."""
    body = template_xlsx(session.connection())
    return _download(body, XLSX_TYPE, "备案模板.xlsx", "template.xlsx")


@router.get("/{submission_id}", summary="A submission, with its current status")
def submission_get(caller: RegistryReader, submission: ValidSubmission) -> SubmissionOut:
    """Reads a submission with its current status and counts. Its own city, province admins
    and auditors (another city's is 404); records nothing."""
    return submission_out(submission)


@router.get("/{submission_id}/report", summary="Every row error of the file")
def submission_report(
    caller: RegistryReader, submission: ValidSubmission, session: SessionDep
) -> SubmissionReport:
    """Every row error of a submission's file, rows counted from 1, with a Chinese message.
    Its own city, province admins and auditors; records nothing."""
    errors = queries.row_errors(session, submission.id)
    return SubmissionReport(errors=[report_error(e) for e in errors])


@router.get(
    "/{submission_id}/report.csv",
    summary="The row errors as a CSV file for Excel (formula-safe cells)",
    response_class=Response,
    responses=binary("text/csv", "The row errors as CSV (UTF-8 with BOM)"),
)
def submission_report_csv(
    caller: RegistryReader, submission: ValidSubmission, session: SessionDep
) -> Response:
    """The row errors as a CSV download for Excel (formula-safe cells). Its own city,
    province admins and auditors; records nothing."""
    body = report_csv(queries.row_errors(session, submission.id))
    name = f"report-{submission.city_code}-{submission.period}.csv"
    return _download(body, "text/csv; charset=utf-8", "备案校验报告-" + name, name)


@router.get("/{submission_id}/preview", summary="What approval would do, row by row")
def submission_preview(
    caller: RegistryReader,
    submission: ValidSubmission,
    session: SessionDep,
    outcome: Outcome | None = None,
    page: PageNumber = 1,
    page_size: PageSize = 50,
) -> SubmissionPreview:
    """What approval would do, row by row (create, update, retire, unchanged). Its own city,
    province admins and auditors; records nothing."""
    found = queries.preview_rows(
        session, submission.id, outcome=outcome, page=page, page_size=page_size
    )
    categories = added_categories(session.connection())
    return SubmissionPreview(
        items=[preview_row(row, categories) for row in found.items],
        total=found.total,
        page=page,
        page_size=page_size,
        ignored_columns=submission.ignored_columns,
        rows_kept_until=rows_kept_until(submission, get_settings().upload_row_retention_days),
    )


@router.post(
    "/{submission_id}/submit",
    summary="The city submits a validated file for review",
    responses=errors(409),
)
def submission_submit(
    caller: CityOperator, submission: ValidSubmission, session: SessionDep
) -> SubmissionOut:
    """The city submits a validated file for the province's review (validated to
    pending_review). City operators of that city only; the transition is audited."""
    return submission_out(review.submit(session, caller, submission))


@router.post("/{submission_id}/withdraw", summary="The city withdraws an upload it never submitted")
def submission_withdraw(
    caller: CityOperator, submission: ValidSubmission, session: SessionDep
) -> SubmissionOut:
    """Withdraw an upload that was never submitted for review (`validated` or `invalid`):
    it becomes `withdrawn`, stays in the city's history with its audit record, and no
    longer counts as the period's latest upload. Any other status is 409."""
    return submission_out(review.withdraw(session, caller, submission))


@router.post(
    "/{submission_id}/approve",
    summary="Approve: every row filed into the registry at once, or none (409)",
    responses=errors(409),
)
def submission_approve(
    caller: ProvinceAdmin, submission: ValidSubmission, session: SessionDep
) -> SubmissionOut:
    """Approves a submission under review: every row is filed into the registry at once, or
    none (409); markers are granted and withdrawn accordingly. Province admins only; the
    filing is versioned and audited."""
    return submission_out(review.approve(session, caller, submission, today=local_today()))


@router.post(
    "/{submission_id}/reject",
    summary="Reject, with the reason, back to the city",
    responses=errors(409),
)
def submission_reject(
    caller: ProvinceAdmin, submission: ValidSubmission, rejection: RejectIn, session: SessionDep
) -> SubmissionOut:
    """Rejects a submission under review, with the reason, back to the city. Province admins
    only; the rejection is audited."""
    return submission_out(review.reject(session, caller, submission, reason=rejection.reason))


def _download(body: bytes, media_type: str, filename: str, ascii_name: str) -> Response:
    """An attachment named in Chinese (RFC 6266), with an ASCII name for old clients."""
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    return Response(body, media_type=media_type, headers={"Content-Disposition": disposition})
