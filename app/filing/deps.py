"""Loaders that hand routes a checked submission: the city wall lives here, not in routes."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends

from app.access.auth import CurrentPrincipal, within_wall
from app.core.db import SessionDep
from app.filing.models import Submission


def valid_submission(
    submission_id: uuid.UUID, caller: CurrentPrincipal, session: SessionDep
) -> Submission:
    """The submission, or 404 when it does not exist or belongs to another city."""
    return within_wall(caller, session.get(Submission, submission_id), "未找到该备案报送。")


ValidSubmission = Annotated[Submission, Depends(valid_submission)]
