"""identity: real-name records, face templates, consents, challenges, attempts

Revision ID: identity_0002
Revises: identity_0001
Create Date: 2026-11-26
"""
from alembic import op
import sqlalchemy as sa

revision = "identity_0002"
down_revision = "identity_0001"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def _citizen_fk(table: str, ondelete: str):
    return sa.ForeignKey("citizens.id", name=f"fk_{table}_citizen_id_citizens", ondelete=ondelete)


def upgrade() -> None:
    op.create_table(
        "identity_real_names",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("citizen_id", sa.Integer, _citizen_fk("identity_real_names", "CASCADE"), nullable=False),
        sa.Column("id_number_index", sa.String(64), nullable=False),
        sa.Column("id_number_enc", sa.Text, nullable=False),
        sa.Column("name_enc", sa.Text, nullable=False),
        sa.Column("id_number_masked", sa.String(32), nullable=False),
        sa.Column("name_masked", sa.String(64), nullable=False),
        sa.Column("birth_date", sa.Date, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("verified_method", sa.String(32)),
        sa.Column("declared_at", TS, nullable=False),
        sa.Column("verified_at", TS),
        sa.UniqueConstraint("citizen_id", name="uq_identity_real_names_citizen_id"),
        sa.UniqueConstraint("id_number_index", name="uq_identity_real_names_id_number_index"),
        sa.CheckConstraint("status IN ('declared', 'verified')", name="ck_identity_real_names_status"),
    )
    op.create_table(
        "identity_face_templates",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("id_number_index", sa.String(64), nullable=False),
        sa.Column("template_enc", sa.Text, nullable=False),
        sa.Column("photo_digest", sa.String(64), nullable=False),
        sa.Column("enrolled_by_kind", sa.String(16), nullable=False),
        sa.Column("enrolled_by_id", sa.Integer),
        sa.Column("enrolled_at", TS, nullable=False),
        sa.UniqueConstraint("id_number_index", name="uq_identity_face_templates_id_number_index"),
    )
    op.create_table(
        "identity_face_consents",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("citizen_id", sa.Integer, _citizen_fk("identity_face_consents", "SET NULL")),
        sa.Column("text_version", sa.String(32), nullable=False),
        sa.Column("consented_at", TS, nullable=False),
        sa.Column("channel", sa.String(16)),
        sa.Column("ip", sa.String(64)),
        sa.Column("withdrawn_at", TS),
        sa.Column("erased_at", TS),
        sa.UniqueConstraint("citizen_id", "text_version",
                            name="uq_identity_face_consents_citizen_id_text_version"),
    )
    op.create_table(
        "identity_face_challenges",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("citizen_id", sa.Integer, _citizen_fk("identity_face_challenges", "CASCADE"), nullable=False),
        sa.Column("actions", sa.JSON, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("used_at", TS),
    )
    op.create_index("ix_identity_face_challenges_citizen_id", "identity_face_challenges", ["citizen_id"])
    op.create_table(
        "identity_face_budgets",
        sa.Column("citizen_id", sa.Integer, _citizen_fk("identity_face_budgets", "CASCADE"), primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("window_started_at", TS),
        sa.Column("locked_until", TS),
    )
    op.create_table(
        "identity_face_attempts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("citizen_id", sa.Integer, _citizen_fk("identity_face_attempts", "SET NULL")),
        sa.Column("challenge_id", sa.String(32)),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("score", sa.Float),
        sa.Column("reasons", sa.JSON, nullable=False),
        sa.Column("channel", sa.String(16)),
        sa.Column("attempted_at", TS, nullable=False),
    )
    op.create_index("ix_identity_face_attempts_citizen_id", "identity_face_attempts",
                    ["citizen_id", "attempted_at"])
    op.create_table(
        "identity_face_frame_digests",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("citizen_id", sa.Integer, _citizen_fk("identity_face_frame_digests", "SET NULL")),
        sa.Column("seen_at", TS, nullable=False),
        sa.UniqueConstraint("digest", name="uq_identity_face_frame_digests_digest"),
    )
    op.create_index("ix_identity_face_frame_digests_seen_at", "identity_face_frame_digests", ["seen_at"])
    op.create_table(
        "identity_face_retained",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("attempt_id", sa.Integer,
                  sa.ForeignKey("identity_face_attempts.id", ondelete="CASCADE",
                                name="fk_identity_face_retained_attempt_id_identity_face_attempts"),
                  nullable=False),
        sa.Column("citizen_id", sa.Integer, _citizen_fk("identity_face_retained", "SET NULL")),
        sa.Column("frame_enc", sa.Text, nullable=False),
        sa.Column("purge_after", TS, nullable=False),
    )
    op.create_index("ix_identity_face_retained_purge_after", "identity_face_retained",
                    ["purge_after"])


def downgrade() -> None:
    op.drop_index("ix_identity_face_retained_purge_after", table_name="identity_face_retained")
    op.drop_table("identity_face_retained")
    op.drop_index("ix_identity_face_frame_digests_seen_at", table_name="identity_face_frame_digests")
    op.drop_table("identity_face_frame_digests")
    op.drop_index("ix_identity_face_attempts_citizen_id", table_name="identity_face_attempts")
    op.drop_table("identity_face_attempts")
    op.drop_table("identity_face_budgets")
    op.drop_index("ix_identity_face_challenges_citizen_id", table_name="identity_face_challenges")
    op.drop_table("identity_face_challenges")
    op.drop_table("identity_face_consents")
    op.drop_table("identity_face_templates")
    op.drop_table("identity_real_names")
