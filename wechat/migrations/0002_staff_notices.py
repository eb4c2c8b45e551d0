"""wechat: the staff notice inbox (every staff.notify notice per recipient, and its 企业微信 delivery)

Revision ID: wechat_0002_staff_notices
Revises: wechat_0001
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa

revision = "wechat_0002_staff_notices"
down_revision = "wechat_0001"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "wechat_staff_notices",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("outbox_message_id", sa.Integer, nullable=False),
        sa.Column("staff_id", sa.Integer, sa.ForeignKey("staff_users.id",
                                                         name="fk_wechat_staff_notices_staff_id_staff_users"),
                  nullable=False),
        sa.Column("event", sa.String(64), nullable=False),
        sa.Column("title", sa.String(128), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("read_at", TS),
        sa.Column("wecom_userid", sa.String(64)),
        sa.Column("wecom_status", sa.String(16), nullable=False),
        sa.Column("wecom_error", sa.Text),
        sa.Column("wecom_sent_at", TS),
        sa.PrimaryKeyConstraint("id", name="pk_wechat_staff_notices"),
        sa.UniqueConstraint("outbox_message_id", "staff_id",
                            name="uq_wechat_staff_notices_outbox_message_id_staff_id"),
        sa.CheckConstraint("wecom_status IN ('unbound', 'pending', 'sent', 'failed')",
                           name="ck_wechat_staff_notices_wecom_status"),
    )
    op.create_index("ix_wechat_staff_notices_inbox", "wechat_staff_notices", ["staff_id", "read_at", "id"])
    op.create_index("ix_wechat_staff_notices_unseen", "wechat_staff_notices", ["wecom_status", "read_at"])


def downgrade() -> None:
    op.drop_index("ix_wechat_staff_notices_unseen", table_name="wechat_staff_notices")
    op.drop_index("ix_wechat_staff_notices_inbox", table_name="wechat_staff_notices")
    op.drop_table("wechat_staff_notices")
