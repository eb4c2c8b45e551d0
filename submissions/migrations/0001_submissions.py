"""submissions: applications, files, timeline, theme applications, certificates

Revision ID: submissions_0001
Revises:
Create Date: 2026-11-26
"""
from alembic import op
import sqlalchemy as sa

revision = "submissions_0001"
down_revision = None
branch_labels = ("submissions",)
depends_on = ("identity_0001", "guides_0001")

TS = sa.DateTime(timezone=True)


def _fk(table: str, column: str, target: str):
    referred = target.split(".")[0]
    return sa.ForeignKey(target, name=f"fk_{table}_{column}_{referred}")


def upgrade() -> None:
    op.create_table(
        "theme_applications",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("citizen_id", sa.Integer, _fk("theme_applications", "citizen_id", "citizens.id")),
        sa.Column("theme_id", sa.String(32), nullable=False),
        sa.Column("theme_name", sa.String(64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("submitted_at", TS),
        sa.PrimaryKeyConstraint("id", name="pk_theme_applications"),
    )
    op.create_index("ix_theme_applications_citizen_id", "theme_applications", ["citizen_id"])

    op.create_table(
        "applications",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("citizen_id", sa.Integer, _fk("applications", "citizen_id", "citizens.id")),
        sa.Column("theme_application_id", sa.Integer,
                  _fk("applications", "theme_application_id", "theme_applications.id")),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("row_version", sa.Integer, nullable=False),
        sa.Column("item_id", sa.Integer, _fk("applications", "item_id", "guide_items.id"), nullable=False),
        sa.Column("item_code", sa.String(12), nullable=False),
        sa.Column("item_revision", sa.Integer, nullable=False),
        sa.Column("item_version", sa.Integer),
        sa.Column("item_name", sa.String(128), nullable=False),
        sa.Column("department_code", sa.String(32), nullable=False),
        sa.Column("promised_days", sa.Integer, nullable=False),
        sa.Column("statutory_days", sa.Integer, nullable=False),
        sa.Column("in_person_required", sa.Boolean, nullable=False),
        sa.Column("certificate_type", sa.String(64)),
        sa.Column("postal_delivery", sa.Boolean, nullable=False),
        sa.Column("form_data", sa.JSON, nullable=False),
        sa.Column("commitments", sa.JSON, nullable=False),
        sa.Column("waivers", sa.JSON, nullable=False),
        sa.Column("delivery_method", sa.String(16), nullable=False),
        sa.Column("postal_address", sa.String(255)),
        sa.Column("supplement_request", sa.JSON),
        sa.Column("supplement_rounds", sa.Integer, nullable=False),
        sa.Column("channel", sa.String(16)),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("submitted_at", TS),
        sa.Column("accepted_at", TS),
        sa.Column("decided_at", TS),
        sa.Column("completed_at", TS),
        sa.Column("delivered_at", TS),
        sa.Column("closed_at", TS),
        sa.Column("accepted_by", sa.Integer),
        sa.Column("accepted_hall_id", sa.Integer),
        sa.Column("decided_by", sa.Integer),
        sa.Column("decision", sa.String(8)),
        sa.Column("erased_at", TS),
        sa.Column("clock_start_date", sa.Date),
        sa.Column("paused_since", TS),
        sa.Column("paused_working_days", sa.Integer, nullable=False),
        sa.Column("warning_date", sa.Date),
        sa.Column("promised_due_date", sa.Date),
        sa.Column("statutory_due_date", sa.Date),
        sa.PrimaryKeyConstraint("id", name="pk_applications"),
    )
    op.create_index("ix_applications_citizen_id", "applications", ["citizen_id"])
    op.create_index("ix_applications_status_department", "applications", ["status", "department_code"])
    op.create_index("ix_applications_department_due", "applications", ["department_code", "promised_due_date"])

    op.create_table(
        "application_files",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("application_id", sa.Integer, _fk("application_files", "application_id", "applications.id"),
                  nullable=False),
        sa.Column("material_code", sa.String(16), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content_type", sa.String(32), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("original_name", sa.String(128)),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_application_files"),
    )
    op.create_index("ix_application_files_application_id", "application_files", ["application_id"])

    op.create_table(
        "application_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("application_id", sa.Integer, _fk("application_events", "application_id", "applications.id"),
                  nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("from_status", sa.String(24)),
        sa.Column("to_status", sa.String(24), nullable=False),
        sa.Column("actor_kind", sa.String(16), nullable=False),
        sa.Column("actor_id", sa.Integer),
        sa.Column("actor_role", sa.String(16), nullable=False),
        sa.Column("channel", sa.String(16)),
        sa.Column("opinion", sa.Text),
        sa.Column("details", sa.JSON),
        sa.PrimaryKeyConstraint("id", name="pk_application_events"),
    )
    op.create_index("ix_application_events_application_id", "application_events", ["application_id"])

    op.create_table(
        "certificates",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("application_id", sa.Integer, _fk("certificates", "application_id", "applications.id"),
                  nullable=False),
        sa.Column("citizen_id", sa.Integer, _fk("certificates", "citizen_id", "citizens.id")),
        sa.Column("certificate_type", sa.String(64), nullable=False),
        sa.Column("number", sa.String(40), nullable=False),
        sa.Column("department_code", sa.String(32), nullable=False),
        sa.Column("fields", sa.JSON, nullable=False),
        sa.Column("issued_at", TS, nullable=False),
        sa.Column("key_id", sa.String(32), nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("revoked_at", TS),
        sa.Column("revoked_reason", sa.String(255)),
        sa.PrimaryKeyConstraint("id", name="pk_certificates"),
        sa.UniqueConstraint("application_id", name="uq_certificates_application_id"),
        sa.UniqueConstraint("number", name="uq_certificates_number"),
    )
    op.create_index("ix_certificates_citizen_id", "certificates", ["citizen_id"])


def downgrade() -> None:
    op.drop_table("certificates")
    op.drop_table("application_events")
    op.drop_table("application_files")
    op.drop_table("applications")
    op.drop_table("theme_applications")
