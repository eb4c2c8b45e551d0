"""screens: the hall notice line of the display board

Revision ID: screens_0001
Revises:
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa

revision = "screens_0001"
down_revision = None
branch_labels = ("screens",)
depends_on = "identity_0001"


def upgrade() -> None:
    op.create_table(
        "screens_hall_notices",
        sa.Column("hall_id", sa.Integer, nullable=False),
        sa.Column("text", sa.String(200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Integer, nullable=True),
        sa.PrimaryKeyConstraint("hall_id", name="pk_screens_hall_notices"),
    )


def downgrade() -> None:
    op.drop_table("screens_hall_notices")
