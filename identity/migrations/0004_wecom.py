"""identity: a staff member's 企业微信 (WeCom) member id, for staff notices

Revision ID: identity_0004_wecom
Revises: identity_0003
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa

revision = "identity_0004_wecom"
down_revision = "identity_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("staff_users", sa.Column("wecom_userid", sa.String(64), nullable=True))
    op.create_unique_constraint("uq_staff_users_wecom_userid", "staff_users", ["wecom_userid"])


def downgrade() -> None:
    op.drop_constraint("uq_staff_users_wecom_userid", "staff_users", type_="unique")
    op.drop_column("staff_users", "wecom_userid")
