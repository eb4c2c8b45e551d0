"""booking: booking_take_place() and booking_claim_active(), the booking's rules as named errors

Revision ID: booking_0002
Revises: booking_0001
Create Date: 2026-12-02

A booking's writes go to the server as one query (one
transaction), so a rule that refuses must make its statement fail, and the
rest of the query does not run. The functions name those failures:
booking_take_place raises SQLSTATE BK001 (booking.slot_full) when the slot
is full; booking_claim_active counts one more active appointment of the
citizen or raises BK002 (booking.too_many_appointments) at the limit and
BK003 (booking.blocked) while the citizen is blocked for no-shows.
"""
from alembic import op

revision = "booking_0002"
down_revision = "booking_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
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
    op.execute("""
        CREATE FUNCTION booking_claim_active(p_citizen_id integer, p_now timestamptz, p_max integer) RETURNS void
        LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO booking_citizen_limits AS l (citizen_id, active_count) VALUES (p_citizen_id, 1)
            ON CONFLICT (citizen_id) DO UPDATE SET active_count = l.active_count + 1
            WHERE l.active_count < p_max AND (l.blocked_until IS NULL OR l.blocked_until <= p_now);
            IF NOT FOUND THEN
                IF EXISTS (SELECT 1 FROM booking_citizen_limits
                           WHERE citizen_id = p_citizen_id AND blocked_until > p_now) THEN
                    RAISE EXCEPTION 'booking.blocked' USING ERRCODE = 'BK003';
                END IF;
                RAISE EXCEPTION 'booking.too_many_appointments' USING ERRCODE = 'BK002';
            END IF;
        END
        $$
    """)


def downgrade() -> None:
    op.execute("DROP FUNCTION IF EXISTS booking_claim_active(integer, timestamptz, integer)")
    op.execute("DROP FUNCTION IF EXISTS booking_take_place(integer)")
