"""booking: a queue's own places per window (city set-up)

Revision ID: booking_0020_city_setup
Revises: booking_0002
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa

revision = "booking_0020_city_setup"
down_revision = "booking_0010_counter_sessions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("booking_queues", sa.Column("places_per_window", sa.Integer, nullable=True))
    op.create_check_constraint("ck_booking_queues_places_per_window", "booking_queues",
                               "places_per_window IS NULL OR places_per_window BETWEEN 1 AND 100")


def downgrade() -> None:
    op.drop_constraint("ck_booking_queues_places_per_window", "booking_queues", type_="check")
    op.drop_column("booking_queues", "places_per_window")
