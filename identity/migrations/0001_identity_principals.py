"""identity: citizens, staff, kiosk devices, refresh tokens

Revision ID: identity_0001
Revises:
Create Date: 2026-11-26
"""
from alembic import op
import sqlalchemy as sa

revision = "identity_0001"
down_revision = None
branch_labels = ("identity",)
depends_on = "platform_0001"

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "citizens",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("public_id", sa.String(36), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("display_name", sa.String(64)),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("closed_at", TS),
        sa.UniqueConstraint("public_id", name="uq_citizens_public_id"),
    )
    op.create_table(
        "staff_users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("display_name", sa.String(64), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("department_code", sa.String(32)),
        sa.Column("hall_id", sa.Integer),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("failed_logins", sa.Integer, nullable=False),
        sa.Column("locked_until", TS),
        sa.Column("created_at", TS, nullable=False),
        sa.UniqueConstraint("username", name="uq_staff_users_username"),
        sa.CheckConstraint("role IN ('clerk', 'approver', 'admin')", name="ck_staff_users_role"),
    )
    op.create_table(
        "kiosk_devices",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("device_code", sa.String(64), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("hall_id", sa.Integer, nullable=False),
        sa.Column("secret_hash", sa.String(64), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.UniqueConstraint("device_code", name="uq_kiosk_devices_device_code"),
    )
    op.create_table(
        "refresh_tokens",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("family_id", sa.String(36), nullable=False),
        sa.Column("principal_kind", sa.String(16), nullable=False),
        sa.Column("principal_id", sa.Integer, nullable=False),
        sa.Column("channel", sa.String(16)),
        sa.Column("issued_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("used_at", TS),
        sa.Column("revoked_at", TS),
        sa.Column("replaced_by_id", sa.Integer,
                  sa.ForeignKey("refresh_tokens.id", name="fk_refresh_tokens_replaced_by_id_refresh_tokens")),
        sa.UniqueConstraint("token_hash", name="uq_refresh_tokens_token_hash"),
    )
    op.create_index("ix_refresh_tokens_family", "refresh_tokens", ["family_id"])
    op.create_index("ix_refresh_tokens_principal", "refresh_tokens", ["principal_kind", "principal_id"])


def downgrade() -> None:
    op.drop_index("ix_refresh_tokens_principal", table_name="refresh_tokens")
    op.drop_index("ix_refresh_tokens_family", table_name="refresh_tokens")
    op.drop_table("refresh_tokens")
    op.drop_table("kiosk_devices")
    op.drop_table("staff_users")
    op.drop_table("citizens")
