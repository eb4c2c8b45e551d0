"""booking: declared national days past the holiday library; booking_open_day() guards a booking against a closure

Revision ID: booking_0003
Revises: booking_0002
Create Date: 2026-12-03

`booking_declared_days` holds the State Council's notice for a year the
holiday library (chinesecalendar) does not know yet: each day a holiday or a
make-up working day, loaded by `flask booking holidays load`.

`booking_open_day(hall, day)` is the first statement of a booking or a
reschedule: it takes the hall's row FOR SHARE (a closure holds it FOR NO KEY
UPDATE while it cancels the day's appointments) and then raises SQLSTATE
BK004 (booking.hall_closed) if the day has been closed for the hall or
declared a national holiday in the meantime. The Python calendar check runs
on cached overrides; this is what makes a closure and a booking in flight
serialise, so no appointment is left behind on a closed day.
"""
from alembic import op
import sqlalchemy as sa

revision = "booking_0003"
down_revision = "booking_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "booking_declared_days",
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("working", sa.Boolean, nullable=False),
        sa.Column("name", sa.String(32), nullable=False),
        sa.Column("source", sa.String(255), nullable=False),
        sa.Column("created_by", sa.Integer),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("day", name="pk_booking_declared_days"),
    )
    op.execute("""
        CREATE FUNCTION booking_open_day(p_hall_id integer, p_day date) RETURNS void
        LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM 1 FROM booking_halls WHERE id = p_hall_id FOR SHARE;
            IF EXISTS (SELECT 1 FROM booking_calendar_overrides
                       WHERE hall_id = p_hall_id AND day = p_day AND NOT open)
               OR (EXISTS (SELECT 1 FROM booking_declared_days WHERE day = p_day AND NOT working)
                   AND NOT EXISTS (SELECT 1 FROM booking_calendar_overrides
                                   WHERE hall_id = p_hall_id AND day = p_day AND open)) THEN
                RAISE EXCEPTION 'booking.hall_closed' USING ERRCODE = 'BK004',
                    DETAIL = 'hall ' || p_hall_id || ' is closed on ' || p_day;
            END IF;
        END
        $$
    """)


def downgrade() -> None:
    op.execute("DROP FUNCTION IF EXISTS booking_open_day(integer, date)")
    op.drop_table("booking_declared_days")
