"""Loaders that hand routes a checked submission: the city wall lives here, not in routes."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends

from app.access.auth import CurrentPrincipal
from app.core.db import SessionDep
from app.core.errors import NotFound
from app.filing.models import Submission


def valid_submission(
    submission_id: uuid.UUID, caller: CurrentPrincipal, session: SessionDep
) -> Submission:
    """The submission, or 404 when it does not exist or belongs to another city."""
    submission = session.get(Submission, submission_id)
    if submission is None or not caller.sees_city(submission.city_code):
        raise NotFound("未找到该备案报送。")
    return submission


ValidSubmission = Annotated[Submission, Depends(valid_submission)]
