"""Every table, imported in one place so Alembic and tests see the whole schema."""

from app.access.models import ApiKey, AuthToken, LoginThrottle, Partner, User
from app.core.audit import AuditEvent, AuditHead
from app.core.db import Base
from app.core.reference import ReferenceCode
from app.filing.models import Submission, SubmissionError, SubmissionRow
from app.lookup.models import LookupRecord
from app.registry.models import BlueCard, Dependent, Honor, Marker, Talent, TalentVersion

__all__ = [
    "ApiKey",
    "AuditEvent",
    "AuditHead",
    "AuthToken",
    "Base",
    "BlueCard",
    "Dependent",
    "Honor",
    "LoginThrottle",
    "LookupRecord",
    "Marker",
    "Partner",
    "ReferenceCode",
    "Submission",
    "SubmissionError",
    "SubmissionRow",
    "Talent",
    "TalentVersion",
    "User",
]
