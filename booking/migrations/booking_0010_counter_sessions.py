"""booking: counter sessions, ticket periods, one ticket per window, the hall's "Nth in line"

Revision ID: booking_0010_counter_sessions
Revises: booking_0002
Create Date: 2026-12-03

- booking_counter_sessions: a clerk at a window; partial unique indexes keep
  one open (or paused) session per window and per clerk.
- booking_ticket_periods: waiting / called / serving stretches of a ticket
  with window, clerk and session (one open period per ticket).
- booking_tickets: status 'serving', the session that called it, and the
  marks that make the waiting-time warning and the "Nth in line" notice
  happen once; a partial unique index lets a window hold one called or
  serving ticket. Tickets that already break that rule (two called at one
  window, which the old call path allowed) keep only the latest call: the
  others go back to waiting at their old place in line, so nobody is lost.
- booking_halls.notify_position (default 5).
"""
from alembic import op
import sqlalchemy as sa

revision = "booking_0010_counter_sessions"
down_revision = "booking_0003"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
OPEN_SESSION = sa.text("status IN ('open', 'paused')")


def upgrade() -> None:
    op.create_table(
        "booking_counter_sessions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("hall_id", sa.Integer, sa.ForeignKey(
            "booking_halls.id", name="fk_booking_counter_sessions_hall_id_booking_halls"), nullable=False),
        sa.Column("window_id", sa.Integer, sa.ForeignKey(
            "booking_windows.id", name="fk_booking_counter_sessions_window_id_booking_windows"), nullable=False),
        sa.Column("staff_id", sa.Integer, nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("opened_at", TS, nullable=False),
        sa.Column("paused_at", TS),
        sa.Column("paused_seconds", sa.Integer, nullable=False),
        sa.Column("closed_at", TS),
        sa.CheckConstraint("status IN ('open', 'paused', 'closed')", name="ck_booking_counter_sessions_status"),
    )
    op.create_index("uq_booking_counter_sessions_window_open", "booking_counter_sessions", ["window_id"],
                    unique=True, postgresql_where=OPEN_SESSION)
    op.create_index("uq_booking_counter_sessions_staff_open", "booking_counter_sessions", ["staff_id"],
                    unique=True, postgresql_where=OPEN_SESSION)
    op.create_index("ix_booking_counter_sessions_hall_opened", "booking_counter_sessions", ["hall_id", "opened_at"])

    op.add_column("booking_tickets", sa.Column("session_id", sa.Integer, sa.ForeignKey(
        "booking_counter_sessions.id", name="fk_booking_tickets_session_id_booking_counter_sessions")))
    op.add_column("booking_tickets", sa.Column("serving_at", TS))
    op.add_column("booking_tickets", sa.Column("waiting_since", TS))
    op.add_column("booking_tickets", sa.Column("position_notified_at", TS))
    op.add_column("booking_tickets", sa.Column("waiting_warned_at", TS))
    op.drop_constraint("ck_booking_tickets_status", "booking_tickets", type_="check")
    op.create_check_constraint("ck_booking_tickets_status", "booking_tickets",
                               "status IN ('waiting', 'called', 'serving', 'completed', 'skipped', 'cancelled')")
    op.execute("""
        UPDATE booking_tickets t SET status = 'waiting', window_id = NULL, call_count = 0
        WHERE t.status = 'called' AND EXISTS (
            SELECT 1 FROM booking_tickets later
            WHERE later.window_id = t.window_id AND later.status = 'called'
              AND (later.last_called_at, later.id) > (t.last_called_at, t.id))
    """)
    op.create_index("uq_booking_tickets_window_busy", "booking_tickets", ["window_id"], unique=True,
                    postgresql_where=sa.text("status IN ('called', 'serving')"))

    op.create_table(
        "booking_ticket_periods",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("ticket_id", sa.Integer, sa.ForeignKey(
            "booking_tickets.id", name="fk_booking_ticket_periods_ticket_id_booking_tickets", ondelete="CASCADE"),
            nullable=False),
        sa.Column("hall_id", sa.Integer, sa.ForeignKey(
            "booking_halls.id", name="fk_booking_ticket_periods_hall_id_booking_halls"), nullable=False),
        sa.Column("queue_id", sa.Integer, sa.ForeignKey(
            "booking_queues.id", name="fk_booking_ticket_periods_queue_id_booking_queues"), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("ended_at", TS),
        sa.Column("end_reason", sa.String(10)),
        sa.Column("window_id", sa.Integer, sa.ForeignKey(
            "booking_windows.id", name="fk_booking_ticket_periods_window_id_booking_windows")),
        sa.Column("staff_id", sa.Integer),
        sa.Column("session_id", sa.Integer, sa.ForeignKey(
            "booking_counter_sessions.id", name="fk_booking_ticket_periods_session_id_booking_counter_sessions")),
        sa.CheckConstraint("kind IN ('waiting', 'called', 'serving')", name="ck_booking_ticket_periods_kind"),
        sa.CheckConstraint("ended_at IS NULL OR ended_at >= started_at", name="ck_booking_ticket_periods_ordered"),
    )
    op.create_index("ix_booking_ticket_periods_ticket_id", "booking_ticket_periods", ["ticket_id"])
    op.create_index("uq_booking_ticket_periods_open", "booking_ticket_periods", ["ticket_id"], unique=True,
                    postgresql_where=sa.text("ended_at IS NULL"))
    op.create_index("ix_booking_ticket_periods_queue_ended", "booking_ticket_periods", ["queue_id", "kind", "ended_at"])
    op.create_index("ix_booking_ticket_periods_hall_started", "booking_ticket_periods", ["hall_id", "started_at"])

    op.add_column("booking_halls", sa.Column("notify_position", sa.Integer, nullable=False, server_default="5"))
    op.create_check_constraint("ck_booking_halls_notify_position", "booking_halls",
                               "notify_position >= 0 AND notify_position <= 99")


def downgrade() -> None:
    op.drop_constraint("ck_booking_halls_notify_position", "booking_halls", type_="check")
    op.drop_column("booking_halls", "notify_position")
    op.drop_table("booking_ticket_periods")
    op.drop_index("uq_booking_tickets_window_busy", table_name="booking_tickets")
    # 'serving' is not a state the old schema knows: such tickets were at their window, i.e. called
    op.execute("UPDATE booking_tickets SET status = 'called' WHERE status = 'serving'")
    op.drop_constraint("ck_booking_tickets_status", "booking_tickets", type_="check")
    op.create_check_constraint("ck_booking_tickets_status", "booking_tickets",
                               "status IN ('waiting', 'called', 'completed', 'skipped', 'cancelled')")
    for column in ("waiting_warned_at", "position_notified_at", "waiting_since", "serving_at"):
        op.drop_column("booking_tickets", column)
    op.drop_constraint("fk_booking_tickets_session_id_booking_counter_sessions", "booking_tickets", type_="foreignkey")
    op.drop_column("booking_tickets", "session_id")
    op.drop_table("booking_counter_sessions")
