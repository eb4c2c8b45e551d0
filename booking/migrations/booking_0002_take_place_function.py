"""booking: booking_take_place(slot_id), which takes a place or raises booking.slot_full

Revision ID: booking_0002
Revises: booking_0001
Create Date: 2026-12-02

PostgreSQL only: the booking's last statement is sent with its COMMIT in one
round trip, so a full slot must make the statement itself fail (then the
server skips the COMMIT). The function names that failure: SQLSTATE BK001
with the message booking.slot_full. SQLite has one writer at a time and
checks the conditional UPDATE's row count instead.
"""
from alembic import op

revision = "booking_0002"
down_revision = "booking_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("""
        CREATE FUNCTION booking_take_place(p_slot_id integer) RETURNS void
        LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE booking_slots SET booked = booked + 1 WHERE id = p_slot_id AND booked < capacity;
            IF NOT FOUND THEN
                RAISE EXCEPTION 'booking.slot_full' USING ERRCODE = 'BK001',
                    DETAIL = 'slot ' || p_slot_id || ' has no free place';
            END IF;
        END
        $$
    """)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP FUNCTION IF EXISTS booking_take_place(integer)")
