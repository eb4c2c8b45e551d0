"""feedback: cases, timeline, uploads, photos, ratings, invitations, rectifications

Revision ID: feedback_0001
Revises:
Create Date: 2026-11-26
"""
from alembic import op
import sqlalchemy as sa

revision = "feedback_0001"
down_revision = None
branch_labels = ("feedback",)
depends_on = "identity_0001"

TS = sa.DateTime(timezone=True)


def _citizen_fk(table: str):
    return sa.ForeignKey("citizens.id", name=f"fk_{table}_citizen_id_citizens")


def upgrade() -> None:
    op.create_table(
        "feedback_cases",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("citizen_id", sa.Integer, _citizen_fk("feedback_cases")),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("category", sa.String(64), nullable=False),
        sa.Column("about_type", sa.String(16)),
        sa.Column("about_ref", sa.String(64)),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("channel", sa.String(16)),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("department_code", sa.String(32)),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("submitted_on", sa.Date, nullable=False),
        sa.Column("duplicate_of_id", sa.Integer,
                  sa.ForeignKey("feedback_cases.id", name="fk_feedback_cases_duplicate_of_id_feedback_cases")),
        sa.Column("submitted_at", TS, nullable=False),
        sa.Column("reply_due_at", TS, nullable=False),
        sa.Column("dispatched_at", TS),
        sa.Column("replied_at", TS),
        sa.Column("reply_text", sa.Text),
        sa.Column("replied_by_staff_id", sa.Integer),
        sa.Column("replied_department_code", sa.String(32)),
        sa.Column("satisfaction", sa.String(24)),
        sa.Column("satisfaction_comment", sa.Text),
        sa.Column("reopen_count", sa.Integer, nullable=False),
        sa.Column("closed_at", TS),
        sa.Column("extension_status", sa.String(16)),
        sa.Column("extension_days", sa.Integer),
        sa.Column("extension_reason", sa.Text),
        sa.Column("extension_count", sa.Integer, nullable=False),
        sa.Column("overdue_at", TS),
        sa.Column("urge_count", sa.Integer, nullable=False),
        sa.Column("last_urged_on", sa.Date),
        sa.Column("erased_at", TS),
        sa.CheckConstraint("kind IN ('consultation', 'complaint', 'suggestion', 'help', 'report')",
                           name="ck_feedback_cases_kind"),
        sa.CheckConstraint("state IN ('submitted', 'dispatched', 'returned', 'replied', 'closed', 'merged', "
                           "'withdrawn')", name="ck_feedback_cases_state"),
    )
    op.create_index("ix_feedback_cases_queue", "feedback_cases", ["department_code", "state", "reply_due_at"])
    op.create_index("ix_feedback_cases_citizen", "feedback_cases", ["citizen_id", "submitted_at"])
    op.create_index("uq_feedback_cases_original", "feedback_cases", ["citizen_id", "content_hash", "submitted_on"],
                    unique=True, postgresql_where=sa.text("duplicate_of_id IS NULL"))

    op.create_table(
        "feedback_case_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("case_id", sa.Integer,
                  sa.ForeignKey("feedback_cases.id", name="fk_feedback_case_events_case_id_feedback_cases"),
                  nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("actor_kind", sa.String(16), nullable=False),
        sa.Column("actor_id", sa.Integer),
        sa.Column("department_code", sa.String(32)),
        sa.Column("note", sa.Text),
    )
    op.create_index("ix_feedback_case_events_case_id", "feedback_case_events", ["case_id"])

    op.create_table(
        "feedback_uploads",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("citizen_id", sa.Integer, _citizen_fk("feedback_uploads")),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content_type", sa.String(32), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_index("ix_feedback_uploads_sha256", "feedback_uploads", ["sha256"])

    op.create_table(
        "feedback_case_photos",
        sa.Column("case_id", sa.Integer,
                  sa.ForeignKey("feedback_cases.id", name="fk_feedback_case_photos_case_id_feedback_cases"),
                  primary_key=True),
        sa.Column("position", sa.SmallInteger, primary_key=True),
        sa.Column("upload_id", sa.Integer,
                  sa.ForeignKey("feedback_uploads.id", name="fk_feedback_case_photos_upload_id_feedback_uploads"),
                  nullable=False),
        sa.UniqueConstraint("case_id", "upload_id", name="uq_feedback_case_photos_case_id_upload_id"),
    )

    op.create_table(
        "feedback_ratings",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("event_kind", sa.String(16), nullable=False),
        sa.Column("event_id", sa.Integer, nullable=False),
        sa.Column("citizen_id", sa.Integer, _citizen_fk("feedback_ratings")),
        sa.Column("level", sa.SmallInteger, nullable=False),
        sa.Column("reason_code", sa.String(32)),
        sa.Column("comment", sa.Text),
        sa.Column("channel", sa.String(16)),
        sa.Column("rated_by", sa.String(16), nullable=False),
        sa.Column("department_code", sa.String(32)),
        sa.Column("hall_id", sa.Integer),
        sa.Column("window_id", sa.Integer),
        sa.Column("item_code", sa.String(64)),
        sa.Column("staff_id", sa.Integer),
        sa.Column("event_finished_at", TS),
        sa.Column("rated_at", TS, nullable=False),
        sa.Column("excluded_at", TS),
        sa.UniqueConstraint("event_kind", "event_id", name="uq_feedback_ratings_event_kind_event_id"),
        sa.CheckConstraint("level BETWEEN 1 AND 5", name="ck_feedback_ratings_level"),
        sa.CheckConstraint("level > 2 OR reason_code IS NOT NULL", name="ck_feedback_ratings_bad_needs_reason"),
    )
    op.create_index("ix_feedback_ratings_rated_at", "feedback_ratings", ["rated_at"])
    op.create_index("ix_feedback_ratings_department", "feedback_ratings", ["department_code", "rated_at"])
    op.create_index("ix_feedback_ratings_citizen", "feedback_ratings", ["citizen_id"])

    op.create_table(
        "feedback_rating_invitations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("event_kind", sa.String(16), nullable=False),
        sa.Column("event_id", sa.Integer, nullable=False),
        sa.Column("citizen_id", sa.Integer, _citizen_fk("feedback_rating_invitations")),
        sa.Column("invited_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("settled_at", TS),
        sa.UniqueConstraint("event_kind", "event_id", name="uq_feedback_rating_invitations_event_kind_event_id"),
    )
    op.create_index("ix_feedback_rating_invitations_due", "feedback_rating_invitations",
                    ["settled_at", "expires_at"])

    op.create_table(
        "feedback_rectifications",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("rating_id", sa.Integer,
                  sa.ForeignKey("feedback_ratings.id", name="fk_feedback_rectifications_rating_id_feedback_ratings"),
                  nullable=False),
        sa.Column("department_code", sa.String(32)),
        sa.Column("hall_id", sa.Integer),
        sa.Column("window_id", sa.Integer),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("opened_at", TS, nullable=False),
        sa.Column("callback_due_at", TS, nullable=False),
        sa.Column("due_at", TS, nullable=False),
        sa.Column("called_back_at", TS),
        sa.Column("callback_note", sa.Text),
        sa.Column("handled_by_staff_id", sa.Integer),
        sa.Column("resolved_at", TS),
        sa.Column("resolution_note", sa.Text),
        sa.Column("appeal_reason", sa.Text),
        sa.Column("appealed_at", TS),
        sa.Column("appeal_decided_at", TS),
        sa.Column("appeal_decided_by", sa.Integer),
        sa.Column("appeal_upheld", sa.Boolean),
        sa.Column("appeal_note", sa.Text),
        sa.Column("callback_overdue_at", TS),
        sa.Column("overdue_at", TS),
        sa.Column("citizen_level", sa.SmallInteger),
        sa.Column("citizen_rated_at", TS),
        sa.UniqueConstraint("rating_id", name="uq_feedback_rectifications_rating_id"),
        sa.CheckConstraint("state IN ('pending_callback', 'called_back', 'rectified', 'explained', 'appealed', "
                           "'appeal_upheld')", name="ck_feedback_rectifications_state"),
    )
    op.create_index("ix_feedback_rectifications_queue", "feedback_rectifications",
                    ["department_code", "state", "due_at"])


def downgrade() -> None:
    op.drop_index("ix_feedback_rectifications_queue", table_name="feedback_rectifications")
    op.drop_table("feedback_rectifications")
    op.drop_index("ix_feedback_rating_invitations_due", table_name="feedback_rating_invitations")
    op.drop_table("feedback_rating_invitations")
    op.drop_index("ix_feedback_ratings_citizen", table_name="feedback_ratings")
    op.drop_index("ix_feedback_ratings_department", table_name="feedback_ratings")
    op.drop_index("ix_feedback_ratings_rated_at", table_name="feedback_ratings")
    op.drop_table("feedback_ratings")
    op.drop_table("feedback_case_photos")
    op.drop_index("ix_feedback_uploads_sha256", table_name="feedback_uploads")
    op.drop_table("feedback_uploads")
    op.drop_index("ix_feedback_case_events_case_id", table_name="feedback_case_events")
    op.drop_table("feedback_case_events")
    op.drop_index("uq_feedback_cases_original", table_name="feedback_cases")
    op.drop_index("ix_feedback_cases_citizen", table_name="feedback_cases")
    op.drop_index("ix_feedback_cases_queue", table_name="feedback_cases")
    op.drop_table("feedback_cases")
