"""booking: halls, queues, windows, calendar overrides, slots, appointments, tickets

Revision ID: booking_0001
Revises:
Create Date: 2026-11-26
"""
from alembic import op
import sqlalchemy as sa

revision = "booking_0001"
down_revision = None
branch_labels = ("booking",)
depends_on = "identity_0001"

TS = sa.DateTime(timezone=True)
ACTIVE = sa.text("status IN ('booked', 'checked_in')")


def upgrade() -> None:
    op.create_table(
        "booking_halls",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("level", sa.String(8), nullable=False),
        sa.Column("town", sa.String(64)),
        sa.Column("address", sa.String(255), nullable=False),
        sa.Column("lat", sa.Float, nullable=False),
        sa.Column("lng", sa.Float, nullable=False),
        sa.Column("phone", sa.String(32)),
        sa.Column("opening_hours", sa.JSON, nullable=False),
        sa.Column("lunch_start", sa.String(5)),
        sa.Column("lunch_end", sa.String(5)),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.UniqueConstraint("code", name="uq_booking_halls_code"),
        sa.CheckConstraint("level IN ('city', 'town', 'village')", name="ck_booking_halls_level"),
    )
    op.create_table(
        "booking_queues",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("hall_id", sa.Integer, sa.ForeignKey("booking_halls.id", name="fk_booking_queues_hall_id_booking_halls"),
                  nullable=False),
        sa.Column("prefix", sa.String(2), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("general", sa.Boolean, nullable=False),
        sa.Column("ahead_streak", sa.Integer, nullable=False),
        sa.UniqueConstraint("hall_id", "prefix", name="uq_booking_queues_hall_id_prefix"),
    )
    op.create_table(
        "booking_hall_items",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("hall_id", sa.Integer,
                  sa.ForeignKey("booking_halls.id", name="fk_booking_hall_items_hall_id_booking_halls"), nullable=False),
        sa.Column("item_code", sa.String(12), nullable=False),
        sa.Column("queue_id", sa.Integer,
                  sa.ForeignKey("booking_queues.id", name="fk_booking_hall_items_queue_id_booking_queues"),
                  nullable=False),
        sa.UniqueConstraint("hall_id", "item_code", name="uq_booking_hall_items_hall_id_item_code"),
    )
    op.create_index("ix_booking_hall_items_item_code", "booking_hall_items", ["item_code"])
    op.create_table(
        "booking_windows",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("hall_id", sa.Integer,
                  sa.ForeignKey("booking_halls.id", name="fk_booking_windows_hall_id_booking_halls"), nullable=False),
        sa.Column("number", sa.String(8), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.UniqueConstraint("hall_id", "number", name="uq_booking_windows_hall_id_number"),
        sa.CheckConstraint("kind IN ('general', 'special')", name="ck_booking_windows_kind"),
    )
    op.create_table(
        "booking_window_queues",
        sa.Column("window_id", sa.Integer,
                  sa.ForeignKey("booking_windows.id", name="fk_booking_window_queues_window_id_booking_windows"),
                  primary_key=True),
        sa.Column("queue_id", sa.Integer,
                  sa.ForeignKey("booking_queues.id", name="fk_booking_window_queues_queue_id_booking_queues"),
                  primary_key=True),
    )
    op.create_table(
        "booking_calendar_overrides",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("hall_id", sa.Integer, sa.ForeignKey(
            "booking_halls.id", name="fk_booking_calendar_overrides_hall_id_booking_halls"), nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("open", sa.Boolean, nullable=False),
        sa.Column("reason", sa.String(255), nullable=False),
        sa.Column("created_by", sa.Integer),
        sa.Column("created_at", TS, nullable=False),
        sa.UniqueConstraint("hall_id", "day", name="uq_booking_calendar_overrides_hall_id_day"),
    )
    op.create_table(
        "booking_slots",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("hall_id", sa.Integer,
                  sa.ForeignKey("booking_halls.id", name="fk_booking_slots_hall_id_booking_halls"), nullable=False),
        sa.Column("queue_id", sa.Integer,
                  sa.ForeignKey("booking_queues.id", name="fk_booking_slots_queue_id_booking_queues"), nullable=False),
        sa.Column("local_date", sa.Date, nullable=False),
        sa.Column("starts_at", TS, nullable=False),
        sa.Column("ends_at", TS, nullable=False),
        sa.Column("capacity", sa.Integer, nullable=False),
        sa.Column("booked", sa.Integer, nullable=False),
        sa.UniqueConstraint("queue_id", "starts_at", name="uq_booking_slots_queue_id_starts_at"),
        sa.CheckConstraint("booked >= 0 AND booked <= capacity", name="ck_booking_slots_booked_within_capacity"),
    )
    op.create_index("ix_booking_slots_queue_day", "booking_slots", ["queue_id", "local_date"])
    op.create_table(
        "booking_citizen_limits",
        sa.Column("citizen_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("active_count", sa.Integer, nullable=False),
        sa.Column("blocked_until", TS),
        sa.Column("blocked_reason", sa.String(255)),
        sa.CheckConstraint("active_count >= 0", name="ck_booking_citizen_limits_active_count_non_negative"),
    )
    op.create_table(
        "booking_appointments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("citizen_id", sa.Integer),
        sa.Column("hall_id", sa.Integer, sa.ForeignKey(
            "booking_halls.id", name="fk_booking_appointments_hall_id_booking_halls"), nullable=False),
        sa.Column("queue_id", sa.Integer, sa.ForeignKey(
            "booking_queues.id", name="fk_booking_appointments_queue_id_booking_queues"), nullable=False),
        sa.Column("slot_id", sa.Integer, sa.ForeignKey(
            "booking_slots.id", name="fk_booking_appointments_slot_id_booking_slots"), nullable=False),
        sa.Column("item_code", sa.String(12), nullable=False),
        sa.Column("local_date", sa.Date, nullable=False),
        sa.Column("starts_at", TS, nullable=False),
        sa.Column("ends_at", TS, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("qr_nonce", sa.String(32), nullable=False),
        sa.Column("channel", sa.String(16)),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("cancelled_at", TS),
        sa.Column("checked_in_at", TS),
        sa.Column("no_show_at", TS),
        sa.Column("reschedule_count", sa.Integer, nullable=False),
        sa.CheckConstraint("status IN ('booked', 'checked_in', 'cancelled', 'no_show')",
                           name="ck_booking_appointments_status"),
    )
    op.create_index("uq_booking_appointments_active_item_day", "booking_appointments",
                    ["citizen_id", "item_code", "local_date"], unique=True,
                    postgresql_where=ACTIVE)
    op.create_index("ix_booking_appointments_citizen_status", "booking_appointments", ["citizen_id", "status"])
    op.create_index("ix_booking_appointments_hall_day", "booking_appointments", ["hall_id", "local_date"])
    op.create_index("ix_booking_appointments_status_starts_at", "booking_appointments", ["status", "starts_at"])
    op.create_table(
        "booking_ticket_counters",
        sa.Column("queue_id", sa.Integer, sa.ForeignKey(
            "booking_queues.id", name="fk_booking_ticket_counters_queue_id_booking_queues"), primary_key=True),
        sa.Column("local_date", sa.Date, primary_key=True),
        sa.Column("last_number", sa.Integer, nullable=False),
    )
    op.create_table(
        "booking_tickets",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("hall_id", sa.Integer, sa.ForeignKey(
            "booking_halls.id", name="fk_booking_tickets_hall_id_booking_halls"), nullable=False),
        sa.Column("queue_id", sa.Integer, sa.ForeignKey(
            "booking_queues.id", name="fk_booking_tickets_queue_id_booking_queues"), nullable=False),
        sa.Column("origin_queue_id", sa.Integer, sa.ForeignKey(
            "booking_queues.id", name="fk_booking_tickets_origin_queue_id_booking_queues"), nullable=False),
        sa.Column("local_date", sa.Date, nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("display", sa.String(8), nullable=False),
        sa.Column("lane", sa.Integer, nullable=False),
        sa.Column("priority_reason", sa.String(16)),
        sa.Column("priority_note", sa.String(255)),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("citizen_id", sa.Integer),
        sa.Column("appointment_id", sa.Integer, sa.ForeignKey(
            "booking_appointments.id", name="fk_booking_tickets_appointment_id_booking_appointments")),
        sa.Column("item_code", sa.String(12)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("issued_at", TS, nullable=False),
        sa.Column("queued_at", TS, nullable=False),
        sa.Column("first_called_at", TS),
        sa.Column("last_called_at", TS),
        sa.Column("call_count", sa.Integer, nullable=False),
        sa.Column("window_id", sa.Integer, sa.ForeignKey(
            "booking_windows.id", name="fk_booking_tickets_window_id_booking_windows")),
        sa.Column("staff_id", sa.Integer),
        sa.Column("completed_at", TS),
        sa.Column("skipped_at", TS),
        sa.Column("requeued", sa.Boolean, nullable=False),
        sa.UniqueConstraint("appointment_id", name="uq_booking_tickets_appointment_id"),
        sa.UniqueConstraint("origin_queue_id", "local_date", "number",
                            name="uq_booking_tickets_origin_queue_id_local_date_number"),
        sa.CheckConstraint("status IN ('waiting', 'called', 'completed', 'skipped', 'cancelled')",
                           name="ck_booking_tickets_status"),
    )
    op.create_index("ix_booking_tickets_queue_waiting", "booking_tickets", ["queue_id", "status", "lane", "queued_at"])
    op.create_index("ix_booking_tickets_hall_day", "booking_tickets", ["hall_id", "local_date"])
    op.create_index("ix_booking_tickets_citizen", "booking_tickets", ["citizen_id"])


def downgrade() -> None:
    op.drop_table("booking_tickets")
    op.drop_table("booking_ticket_counters")
    op.drop_table("booking_appointments")
    op.drop_table("booking_citizen_limits")
    op.drop_table("booking_slots")
    op.drop_table("booking_calendar_overrides")
    op.drop_table("booking_window_queues")
    op.drop_table("booking_windows")
    op.drop_table("booking_hall_items")
    op.drop_table("booking_queues")
    op.drop_table("booking_halls")
