"""identity: PostgreSQL side of the token deny-list and the login rate limit

Redis stays the fast path; these tables are the truth it is rebuilt from and
what authentication falls back to while Redis is down.

Revision ID: identity_0003
Revises: identity_0002
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa

revision = "identity_0003"
down_revision = "identity_0002"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "identity_revoked_tokens",
        sa.Column("jti", sa.String(64), nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("jti", name="pk_identity_revoked_tokens"),
    )
    op.create_index("ix_identity_revoked_tokens_expires_at", "identity_revoked_tokens", ["expires_at"])
    op.create_table(
        "identity_principal_revocations",
        sa.Column("principal_kind", sa.String(16), nullable=False),
        sa.Column("principal_id", sa.Integer, nullable=False),
        sa.Column("revoked_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("principal_kind", "principal_id", name="pk_identity_principal_revocations"),
    )
    op.create_table(
        "identity_login_counters",
        sa.Column("scope", sa.String(64), nullable=False),
        sa.Column("client_key", sa.String(128), nullable=False),
        sa.Column("window_start", TS, nullable=False),
        sa.Column("hits", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("scope", "client_key", "window_start", name="pk_identity_login_counters"),
    )
    op.create_index("ix_identity_login_counters_window_start", "identity_login_counters", ["window_start"])


def downgrade() -> None:
    op.drop_index("ix_identity_login_counters_window_start", table_name="identity_login_counters")
    op.drop_table("identity_login_counters")
    op.drop_table("identity_principal_revocations")
    op.drop_index("ix_identity_revoked_tokens_expires_at", table_name="identity_revoked_tokens")
    op.drop_table("identity_revoked_tokens")
