"""duties tables and columns

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 12:06:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The key tasks' rows come from seed/tasks.json after the upgrade (app/tasks/seed.py).
    op.create_table('key_task',
    sa.Column('number', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('task', sa.Text(), nullable=False),
    sa.Column('lead_units', sa.JSON(), nullable=False),
    sa.Column('lead_units_text', sa.String(length=200), nullable=False),
    sa.Column('cooperating_units', sa.JSON(), nullable=False),
    sa.Column('cooperating_units_text', sa.String(length=200), nullable=False),
    sa.Column('deadline_text', sa.String(length=50), nullable=False),
    sa.Column('deadline_kind', sa.String(length=20), nullable=False),
    sa.Column('deadline_date', sa.Date(), nullable=True),
    sa.Column('deadline_month', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('number', name=op.f('pk_key_task'))
    )
    op.create_table('assistance_case',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('talent_id', sa.Uuid(), nullable=False),
    sa.Column('city_code', sa.String(length=6), nullable=False),
    sa.Column('employer', sa.String(length=200), nullable=False),
    sa.Column('situation', sa.Text(), nullable=False),
    sa.Column('measures', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('opened_on', sa.Date(), nullable=False),
    sa.Column('opened_by', sa.String(length=120), nullable=False),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('closed_by', sa.String(length=120), nullable=True),
    sa.Column('result', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['talent_id'], ['talent.id'], name=op.f('fk_assistance_case_talent_id_talent')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assistance_case'))
    )
    with op.batch_alter_table('assistance_case', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assistance_case_city_code'), ['city_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_assistance_case_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_assistance_case_talent_id'), ['talent_id'], unique=False)
        batch_op.create_index('uq_assistance_case_open_per_talent', ['talent_id'], unique=True, sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'"))

    op.create_table('studio_application',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('talent_id', sa.Uuid(), nullable=False),
    sa.Column('city_code', sa.String(length=6), nullable=False),
    sa.Column('project_type', sa.String(length=40), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('host_employer', sa.String(length=200), nullable=False),
    sa.Column('host_uscc', sa.String(length=18), nullable=False),
    sa.Column('plan_summary', sa.Text(), nullable=False),
    sa.Column('attachments', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('submitted_by', sa.String(length=120), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by', sa.String(length=120), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reject_reason', sa.String(length=500), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['talent_id'], ['talent.id'], name=op.f('fk_studio_application_talent_id_talent')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_studio_application'))
    )
    with op.batch_alter_table('studio_application', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_studio_application_city_code'), ['city_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_studio_application_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_studio_application_talent_id'), ['talent_id'], unique=False)
        batch_op.create_index('uq_studio_application_open_per_type', ['talent_id', 'project_type'], unique=True, sqlite_where=sa.text("status IN ('submitted', 'in_review')"), postgresql_where=sa.text("status IN ('submitted', 'in_review')"))

    op.create_table('task_report',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('task_number', sa.Integer(), nullable=False),
    sa.Column('report_date', sa.Date(), nullable=False),
    sa.Column('period_year', sa.Integer(), nullable=False),
    sa.Column('reporting_unit', sa.String(length=100), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('percent', sa.Integer(), nullable=True),
    sa.Column('recorded_by', sa.String(length=120), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['task_number'], ['key_task.number'], name=op.f('fk_task_report_task_number_key_task')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_task_report'))
    )
    with op.batch_alter_table('task_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_task_report_task_number'), ['task_number'], unique=False)

    op.create_table('assistance_service',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('dependent_id', sa.Integer(), nullable=True),
    sa.Column('dependent_relation', sa.String(length=16), nullable=False),
    sa.Column('dependent_name', sa.String(length=50), nullable=False),
    sa.Column('dependent_id_masked', sa.String(length=18), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('service_date', sa.Date(), nullable=False),
    sa.Column('outcome', sa.Text(), nullable=False),
    sa.Column('recorded_by', sa.String(length=120), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['assistance_case.id'], name=op.f('fk_assistance_service_case_id_assistance_case'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['dependent_id'], ['dependent.id'], name=op.f('fk_assistance_service_dependent_id_dependent'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assistance_service'))
    )
    with op.batch_alter_table('assistance_service', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assistance_service_case_id'), ['case_id'], unique=False)

    op.create_table('studio',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('application_id', sa.Uuid(), nullable=False),
    sa.Column('talent_id', sa.Uuid(), nullable=False),
    sa.Column('city_code', sa.String(length=6), nullable=False),
    sa.Column('project_type', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('host_employer', sa.String(length=200), nullable=False),
    sa.Column('batch_year', sa.Integer(), nullable=False),
    sa.Column('established_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['studio_application.id'], name=op.f('fk_studio_application_id_studio_application')),
    sa.ForeignKeyConstraint(['talent_id'], ['talent.id'], name=op.f('fk_studio_talent_id_talent')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_studio')),
    sa.UniqueConstraint('application_id', name=op.f('uq_studio_application_id'))
    )
    with op.batch_alter_table('studio', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_studio_batch_year'), ['batch_year'], unique=False)
        batch_op.create_index(batch_op.f('ix_studio_city_code'), ['city_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_studio_talent_id'), ['talent_id'], unique=False)


def downgrade() -> None:
    for table in (
        "studio",
        "assistance_service",
        "task_report",
        "studio_application",
        "assistance_case",
        "key_task",
    ):
        op.drop_table(table)
