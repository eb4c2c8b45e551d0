"""platform: job_runs, the record of which period of which periodic rule ran

Revision ID: platform_0002_jobs
Revises: platform_0001
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa

revision = "platform_0002_jobs"
down_revision = "platform_0001"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "job_runs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("rule", sa.String(64), nullable=False),
        sa.Column("period_key", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("worker", sa.String(128)),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("lease_until", TS, nullable=False),
        sa.Column("finished_at", TS),
        sa.Column("result", sa.JSON),
        sa.Column("error", sa.Text),
        sa.UniqueConstraint("rule", "period_key", name="uq_job_runs_rule_period_key"),
    )
    op.create_index("ix_job_runs_status", "job_runs", ["status", "started_at"])


def downgrade() -> None:
    op.drop_index("ix_job_runs_status", table_name="job_runs")
    op.drop_table("job_runs")
