"""Every table, imported in one place so Alembic and tests see the whole schema."""

from app.access.models import ApiKey, AuthToken, LoginThrottle, Partner, User
from app.assistance.models import AssistanceCase, AssistanceService
from app.core.audit import AuditCheckpoint, AuditEvent, AuditHead
from app.core.db import Base
from app.core.key_store import DataKey
from app.core.reference import ReferenceCode
from app.filing.models import Submission, SubmissionError, SubmissionRow
from app.lookup.models import LookupJournal, LookupRecord
from app.registry.models import BlueCard, Dependent, Honor, Marker, Talent, TalentVersion
from app.studios.models import Studio, StudioApplication
from app.tasks.models import KeyTask, TaskReport

__all__ = [
    "ApiKey",
    "AssistanceCase",
    "AssistanceService",
    "AuditCheckpoint",
    "AuditEvent",
    "AuditHead",
    "AuthToken",
    "Base",
    "BlueCard",
    "DataKey",
    "Dependent",
    "Honor",
    "KeyTask",
    "LoginThrottle",
    "LookupJournal",
    "LookupRecord",
    "Marker",
    "Partner",
    "ReferenceCode",
    "Studio",
    "StudioApplication",
    "Submission",
    "SubmissionError",
    "SubmissionRow",
    "Talent",
    "TalentVersion",
    "TaskReport",
    "User",
]
