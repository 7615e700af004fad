"""What the city's and the province's pages of one submission share: the page's content
(counts, row errors, the diff preview) and the downloads, all from the filing service."""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from app.core.settings import get_settings
from app.core.types import utcnow
from app.filing import queries
from app.filing.constants import STATUS_ZH, Outcome, SubmissionStatus
from app.filing.models import Submission
from app.filing.report_csv import column_label, report_csv
from app.filing.retention import rows_kept_until
from app.filing.schemas import preview_row, submission_summary
from app.pages.people import names_for
from app.registry.records import added_categories

PREVIEW_SIZE = 50
ERRORS_SHOWN = 200
OUTCOME_ZH = {
    Outcome.create: "新增",
    Outcome.update: "更新",
    Outcome.retire: "退出",
    Outcome.unchanged: "无变化",
}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def submission_context(
    request: Request,
    session: Session,
    submission: Submission,
    *,
    detail_route: str,
    page: int,
    outcome: str,
) -> dict[str, Any]:
    """The submission with its counts, its first row errors and one page of its preview."""
    chosen = Outcome(outcome) if outcome in set(Outcome) else None
    preview = queries.preview_rows(
        session, submission.id, outcome=chosen, page=page, page_size=PREVIEW_SIZE
    )
    errors = queries.row_errors(session, submission.id)
    categories = added_categories(session.connection())
    base = str(request.app.url_path_for(detail_route, submission_id=str(submission.id)))
    filters = {"outcome": chosen.value} if chosen else {}

    def url_for_page(number: int) -> str:
        return f"{base}?{urlencode({**filters, 'page': number})}#preview"

    return {
        "submission": submission_summary(submission),
        "who": names_for(session, (submission.created_by, submission.decided_by)),
        "status_zh": STATUS_ZH,
        "errors": [
            {
                "row": e.row_no,
                "sheet_row": e.sheet_row,
                "column": column_label(e.field) or e.field,
                "message": e.message,
            }
            for e in errors[:ERRORS_SHOWN]
        ],
        "errors_total": len(errors),
        "preview": [preview_row(row, categories) for row in preview.items],
        "preview_total": preview.total,
        "preview_page": page,
        "preview_pages": max(1, math.ceil(preview.total / PREVIEW_SIZE)),
        "url_for_page": url_for_page,
        "outcome": chosen.value if chosen else "",
        "outcomes": OUTCOME_ZH,
        "ignored_columns": submission.ignored_columns,
        "detail_url": base,
        "is_pending": submission.status == SubmissionStatus.pending_review,
        "rows_purged": _rows_purged(submission),
    }


def _rows_purged(submission: Submission) -> bool:
    kept_until = rows_kept_until(submission, get_settings().upload_row_retention_days)
    return kept_until is not None and kept_until <= utcnow()


def report_download(session: Session, submission: Submission) -> Response:
    """The row errors as the filing service writes them for Excel."""
    body = report_csv(queries.row_errors(session, submission.id))
    name = f"report-{submission.city_code}-{submission.period}.csv"
    return attachment(body, "text/csv; charset=utf-8", "备案校验报告-" + name, name)


def attachment(body: bytes, media_type: str, filename: str, ascii_name: str) -> Response:
    """A download named in Chinese (RFC 6266), with an ASCII name for old clients."""
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    return Response(
        body,
        media_type=media_type,
        headers={"Content-Disposition": disposition, "Cache-Control": "no-store"},
    )
