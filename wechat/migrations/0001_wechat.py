"""wechat: accounts, unionids, phone bindings, subscription grants, deliveries, face verifications

Revision ID: wechat_0001
Revises:
Create Date: 2026-11-26
"""
from alembic import op
import sqlalchemy as sa

revision = "wechat_0001"
down_revision = None
branch_labels = ("wechat",)
depends_on = "identity_0001"

TS = sa.DateTime(timezone=True)


def _citizen_fk(table: str, nullable: bool = False) -> sa.Column:
    return sa.Column("citizen_id", sa.Integer,
                     sa.ForeignKey("citizens.id", name=f"fk_{table}_citizen_id_citizens"), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "wechat_accounts",
        sa.Column("id", sa.Integer, primary_key=True),
        _citizen_fk("wechat_accounts"),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("appid", sa.String(32), nullable=False),
        sa.Column("openid", sa.String(64), nullable=False),
        sa.Column("unionid", sa.String(64)),
        sa.Column("session_key_enc", sa.Text),
        sa.Column("session_key_expires_at", TS),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("last_login_at", TS, nullable=False),
        sa.UniqueConstraint("appid", "openid", name="uq_wechat_accounts_appid_openid"),
        sa.CheckConstraint("channel IN ('miniprogram', 'app')", name="ck_wechat_accounts_channel"),
    )
    op.create_index("ix_wechat_accounts_citizen_id", "wechat_accounts", ["citizen_id"])
    op.create_index("ix_wechat_accounts_unionid", "wechat_accounts", ["unionid"])

    op.create_table(
        "wechat_unions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("unionid", sa.String(64), nullable=False),
        _citizen_fk("wechat_unions"),
        sa.Column("created_at", TS, nullable=False),
        sa.UniqueConstraint("unionid", name="uq_wechat_unions_unionid"),
    )
    op.create_index("ix_wechat_unions_citizen_id", "wechat_unions", ["citizen_id"])

    op.create_table(
        "wechat_phone_bindings",
        sa.Column("id", sa.Integer, primary_key=True),
        _citizen_fk("wechat_phone_bindings"),
        sa.Column("phone_enc", sa.Text, nullable=False),
        sa.Column("phone_index", sa.String(64), nullable=False),
        sa.Column("country_code", sa.String(8), nullable=False),
        sa.Column("bound_at", TS, nullable=False),
        sa.UniqueConstraint("citizen_id", name="uq_wechat_phone_bindings_citizen_id"),
        sa.UniqueConstraint("phone_index", name="uq_wechat_phone_bindings_phone_index"),
    )

    op.create_table(
        "wechat_subscription_grants",
        sa.Column("id", sa.Integer, primary_key=True),
        _citizen_fk("wechat_subscription_grants"),
        sa.Column("template_id", sa.String(64), nullable=False),
        sa.Column("granted_at", TS, nullable=False),
        sa.Column("used_at", TS),
        sa.Column("used_by_message_id", sa.Integer),
        sa.UniqueConstraint("used_by_message_id", name="uq_wechat_subscription_grants_used_by_message_id"),
    )
    op.create_index("ix_wechat_subscription_grants_available", "wechat_subscription_grants",
                    ["citizen_id", "template_id", "used_at"])

    op.create_table(
        "wechat_message_deliveries",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("outbox_message_id", sa.Integer, nullable=False),
        _citizen_fk("wechat_message_deliveries", nullable=True),
        sa.Column("event", sa.String(64), nullable=False),
        sa.Column("template_id", sa.String(64)),
        sa.Column("grant_id", sa.Integer),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(500)),
        sa.Column("errcode", sa.Integer),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.UniqueConstraint("outbox_message_id", name="uq_wechat_message_deliveries_outbox_message_id"),
        sa.CheckConstraint("status IN ('sending', 'retry', 'sent', 'skipped', 'failed')",
                           name="ck_wechat_message_deliveries_status"),
    )
    op.create_index("ix_wechat_message_deliveries_citizen_id", "wechat_message_deliveries", ["citizen_id"])

    op.create_table(
        "wechat_face_verifications",
        sa.Column("id", sa.Integer, primary_key=True),
        _citizen_fk("wechat_face_verifications"),
        sa.Column("verify_id", sa.String(256)),
        sa.Column("out_seq_no", sa.String(64), nullable=False),
        sa.Column("cert_hash", sa.String(128)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("verify_ret", sa.Integer),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("finished_at", TS),
        sa.UniqueConstraint("verify_id", name="uq_wechat_face_verifications_verify_id"),
        sa.UniqueConstraint("out_seq_no", name="uq_wechat_face_verifications_out_seq_no"),
        sa.CheckConstraint("status IN ('pending', 'passed', 'failed')", name="ck_wechat_face_verifications_status"),
    )
    op.create_index("ix_wechat_face_verifications_citizen_id", "wechat_face_verifications", ["citizen_id"])


def downgrade() -> None:
    op.drop_index("ix_wechat_face_verifications_citizen_id", table_name="wechat_face_verifications")
    op.drop_table("wechat_face_verifications")
    op.drop_index("ix_wechat_message_deliveries_citizen_id", table_name="wechat_message_deliveries")
    op.drop_table("wechat_message_deliveries")
    op.drop_index("ix_wechat_subscription_grants_available", table_name="wechat_subscription_grants")
    op.drop_table("wechat_subscription_grants")
    op.drop_table("wechat_phone_bindings")
    op.drop_index("ix_wechat_unions_citizen_id", table_name="wechat_unions")
    op.drop_table("wechat_unions")
    op.drop_index("ix_wechat_accounts_unionid", table_name="wechat_accounts")
    op.drop_index("ix_wechat_accounts_citizen_id", table_name="wechat_accounts")
    op.drop_table("wechat_accounts")
