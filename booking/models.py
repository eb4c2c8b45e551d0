"""预约取号 tables.

The rules that must hold across processes live here, in constraints:
- a slot's `booked` never exceeds its `capacity` (CHECK, and every booking is a
  conditional UPDATE `booked = booked + 1 WHERE booked < capacity`);
- one active appointment per citizen, item and day (partial unique index);
- at most N active appointments per citizen and the no-show block: one
  `booking_citizen_limits` row per citizen, changed only by conditional UPDATEs;
- ticket numbers: one counter row per queue and day, incremented by UPDATE (a
  row lock held to commit, so numbers are unique and gap-free), plus a unique
  index on (origin queue, day, number).
Halls store catalogue item codes, not foreign keys into guides: the catalogue
is versioned by code and owned by another package.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (JSON, Boolean, CheckConstraint, Date, Float, ForeignKey, Index, Integer, String,
                        UniqueConstraint, text)
from sqlalchemy.orm import Mapped, mapped_column

from mobile_api.db import Base, UTCDateTime

HALL_LEVELS = ("city", "town", "village")
ACTIVE_APPOINTMENT = ("booked", "checked_in")
APPOINTMENT_STATUSES = ("booked", "checked_in", "cancelled", "no_show")
TICKET_STATUSES = ("waiting", "called", "serving", "completed", "skipped", "cancelled")
# A window holds at most one ticket in these states (a partial unique index).
AT_WINDOW = ("called", "serving")
PRIORITY_REASONS = ("elderly", "disabled", "pregnant")

# Lanes order the queue: 绿色通道 first, then checked-in appointments, then walk-ins.
LANE_PRIORITY = 2
LANE_APPOINTMENT = 1
LANE_WALK_IN = 0


class Hall(Base):
    __tablename__ = "booking_halls"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), nullable=False, unique=True)
    name: Mapped[str] = mapped_column(String(128), nullable=False)
    level: Mapped[str] = mapped_column(String(8), nullable=False)
    town: Mapped[str | None] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(255), nullable=False)
    lat: Mapped[float] = mapped_column(Float, nullable=False)
    lng: Mapped[float] = mapped_column(Float, nullable=False)
    phone: Mapped[str | None] = mapped_column(String(32))
    # {"0": ["08:30", "17:30"], ..., "6": null}: Monday = "0", local time
    opening_hours: Mapped[dict] = mapped_column(JSON, nullable=False)
    lunch_start: Mapped[str | None] = mapped_column(String(5))
    lunch_end: Mapped[str | None] = mapped_column(String(5))
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    # "you are Nth in line": a citizen is told once when this many remain ahead (0: never)
    notify_position: Mapped[int] = mapped_column(Integer, nullable=False, default=5, server_default=text("5"))

    __table_args__ = (CheckConstraint("level IN ('city', 'town', 'village')", name="level"),
                      CheckConstraint("notify_position >= 0 AND notify_position <= 99", name="notify_position"))


class HallQueue(Base):
    """An item group of a hall: its own queue, ticket prefix and slots."""

    __tablename__ = "booking_queues"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("booking_halls.id"), nullable=False)
    prefix: Mapped[str] = mapped_column(String(2), nullable=False)
    name: Mapped[str] = mapped_column(String(64), nullable=False)
    general: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # calls in a row that went ahead of an older walk-in (fairness rule)
    ahead_streak: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # bookable places per serving window and slot; None: BOOKING_PLACES_PER_WINDOW
    places_per_window: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (UniqueConstraint("hall_id", "prefix", name="uq_booking_queues_hall_id_prefix"),
                      CheckConstraint("places_per_window IS NULL OR places_per_window BETWEEN 1 AND 100",
                                      name="places_per_window"))


class HallItem(Base):
    __tablename__ = "booking_hall_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("booking_halls.id"), nullable=False)
    item_code: Mapped[str] = mapped_column(String(12), nullable=False)
    queue_id: Mapped[int] = mapped_column(ForeignKey("booking_queues.id"), nullable=False)

    __table_args__ = (
        UniqueConstraint("hall_id", "item_code", name="uq_booking_hall_items_hall_id_item_code"),
        Index("ix_booking_hall_items_item_code", "item_code"),
    )


class Window(Base):
    __tablename__ = "booking_windows"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("booking_halls.id"), nullable=False)
    number: Mapped[str] = mapped_column(String(8), nullable=False)
    name: Mapped[str] = mapped_column(String(64), nullable=False)
    kind: Mapped[str] = mapped_column(String(8), nullable=False)  # general | special
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)

    __table_args__ = (
        UniqueConstraint("hall_id", "number", name="uq_booking_windows_hall_id_number"),
        CheckConstraint("kind IN ('general', 'special')", name="kind"),
    )


class WindowQueue(Base):
    """Which queues a window serves (a general window may serve several)."""

    __tablename__ = "booking_window_queues"

    window_id: Mapped[int] = mapped_column(ForeignKey("booking_windows.id"), primary_key=True)
    queue_id: Mapped[int] = mapped_column(ForeignKey("booking_queues.id"), primary_key=True)


class CalendarOverride(Base):
    __tablename__ = "booking_calendar_overrides"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("booking_halls.id"), nullable=False)
    day: Mapped[date] = mapped_column(Date, nullable=False)
    open: Mapped[bool] = mapped_column(Boolean, nullable=False)
    reason: Mapped[str] = mapped_column(String(255), nullable=False)
    created_by: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)

    __table_args__ = (UniqueConstraint("hall_id", "day", name="uq_booking_calendar_overrides_hall_id_day"),)


class DeclaredDay(Base):
    """A day of the State Council's holiday notice for a year the holiday
    library does not know yet (`flask booking holidays load`): a holiday, or
    a make-up working day (调休)."""

    __tablename__ = "booking_declared_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    working: Mapped[bool] = mapped_column(Boolean, nullable=False)
    name: Mapped[str] = mapped_column(String(32), nullable=False)
    source: Mapped[str] = mapped_column(String(255), nullable=False)
    created_by: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class Slot(Base):
    """Created on first booking (INSERT … ON CONFLICT DO NOTHING), so an empty
    calendar costs no rows; `booked` only moves by conditional UPDATE."""

    __tablename__ = "booking_slots"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("booking_halls.id"), nullable=False)
    queue_id: Mapped[int] = mapped_column(ForeignKey("booking_queues.id"), nullable=False)
    local_date: Mapped[date] = mapped_column(Date, nullable=False)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    capacity: Mapped[int] = mapped_column(Integer, nullable=False)
    booked: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    __table_args__ = (
        UniqueConstraint("queue_id", "starts_at", name="uq_booking_slots_queue_id_starts_at"),
        CheckConstraint("booked >= 0 AND booked <= capacity", name="booked_within_capacity"),
        Index("ix_booking_slots_queue_day", "queue_id", "local_date"),
    )


class CitizenLimit(Base):
    """Per citizen: active appointments and the no-show block, changed only by
    conditional UPDATEs so parallel bookings cannot pass the limit."""

    __tablename__ = "booking_citizen_limits"

    citizen_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    active_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    blocked_reason: Mapped[str | None] = mapped_column(String(255))

    __table_args__ = (CheckConstraint("active_count >= 0", name="active_count_non_negative"),)


class Appointment(Base):
    __tablename__ = "booking_appointments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    citizen_id: Mapped[int | None] = mapped_column(Integer)  # None once the citizen is erased
    hall_id: Mapped[int] = mapped_column(ForeignKey("booking_halls.id"), nullable=False)
    queue_id: Mapped[int] = mapped_column(ForeignKey("booking_queues.id"), nullable=False)
    slot_id: Mapped[int] = mapped_column(ForeignKey("booking_slots.id"), nullable=False)
    item_code: Mapped[str] = mapped_column(String(12), nullable=False)
    local_date: Mapped[date] = mapped_column(Date, nullable=False)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    qr_nonce: Mapped[str] = mapped_column(String(32), nullable=False)
    channel: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    no_show_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reschedule_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    __table_args__ = (
        CheckConstraint("status IN ('booked', 'checked_in', 'cancelled', 'no_show')", name="status"),
        Index("uq_booking_appointments_active_item_day", "citizen_id", "item_code", "local_date", unique=True,
              postgresql_where=text("status IN ('booked', 'checked_in')")),
        Index("ix_booking_appointments_citizen_status", "citizen_id", "status"),
        Index("ix_booking_appointments_hall_day", "hall_id", "local_date"),
        Index("ix_booking_appointments_status_starts_at", "status", "starts_at"),
    )


class TicketCounter(Base):
    __tablename__ = "booking_ticket_counters"

    queue_id: Mapped[int] = mapped_column(ForeignKey("booking_queues.id"), primary_key=True)
    local_date: Mapped[date] = mapped_column(Date, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class Ticket(Base):
    __tablename__ = "booking_tickets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("booking_halls.id"), nullable=False)
    queue_id: Mapped[int] = mapped_column(ForeignKey("booking_queues.id"), nullable=False)  # current queue
    origin_queue_id: Mapped[int] = mapped_column(ForeignKey("booking_queues.id"), nullable=False)
    local_date: Mapped[date] = mapped_column(Date, nullable=False)
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    display: Mapped[str] = mapped_column(String(8), nullable=False)
    lane: Mapped[int] = mapped_column(Integer, nullable=False)
    priority_reason: Mapped[str | None] = mapped_column(String(16))
    priority_note: Mapped[str | None] = mapped_column(String(255))
    source: Mapped[str] = mapped_column(String(16), nullable=False)  # walk_in | appointment
    citizen_id: Mapped[int | None] = mapped_column(Integer)
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("booking_appointments.id"), unique=True)
    item_code: Mapped[str | None] = mapped_column(String(12))
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    first_called_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_called_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    call_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    window_id: Mapped[int | None] = mapped_column(ForeignKey("booking_windows.id"))
    staff_id: Mapped[int | None] = mapped_column(Integer)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    skipped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    requeued: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # the counter session (window + clerk) that called it last: what periods and ratings are attributed to
    session_id: Mapped[int | None] = mapped_column(ForeignKey("booking_counter_sessions.id"))
    serving_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # when the current wait began, if not at queued_at (a transfer keeps the
    # place in line but starts a new waiting period)
    waiting_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    position_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    waiting_warned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        UniqueConstraint("origin_queue_id", "local_date", "number",
                         name="uq_booking_tickets_origin_queue_id_local_date_number"),
        CheckConstraint("status IN ('waiting', 'called', 'serving', 'completed', 'skipped', 'cancelled')",
                        name="status"),
        # 一窗一号: two presses of call-next can never leave two tickets at one window
        Index("uq_booking_tickets_window_busy", "window_id", unique=True,
              postgresql_where=text("status IN ('called', 'serving')")),
        Index("ix_booking_tickets_queue_waiting", "queue_id", "status", "lane", "queued_at"),
        Index("ix_booking_tickets_hall_day", "hall_id", "local_date"),
        Index("ix_booking_tickets_citizen", "citizen_id"),
    )


SESSION_OPEN = ("open", "paused")


class CounterSession(Base):
    """A clerk at a window (柜台会话): one clerk per window and one window per
    clerk while open or paused, by partial unique indexes."""

    __tablename__ = "booking_counter_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("booking_halls.id"), nullable=False)
    window_id: Mapped[int] = mapped_column(ForeignKey("booking_windows.id"), nullable=False)
    staff_id: Mapped[int] = mapped_column(Integer, nullable=False)
    status: Mapped[str] = mapped_column(String(8), nullable=False)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paused_seconds: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        CheckConstraint("status IN ('open', 'paused', 'closed')", name="status"),
        Index("uq_booking_counter_sessions_window_open", "window_id", unique=True,
              postgresql_where=text("status IN ('open', 'paused')")),
        Index("uq_booking_counter_sessions_staff_open", "staff_id", unique=True,
              postgresql_where=text("status IN ('open', 'paused')")),
        Index("ix_booking_counter_sessions_hall_opened", "hall_id", "opened_at"),
    )


PERIOD_KINDS = ("waiting", "called", "serving")


class TicketPeriod(Base):
    """One stretch of a ticket's life (TheQ's Period): waiting in a queue,
    called to a window, served at it; with the window, clerk and session."""

    __tablename__ = "booking_ticket_periods"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("booking_tickets.id", ondelete="CASCADE"), nullable=False)
    hall_id: Mapped[int] = mapped_column(ForeignKey("booking_halls.id"), nullable=False)
    queue_id: Mapped[int] = mapped_column(ForeignKey("booking_queues.id"), nullable=False)
    kind: Mapped[str] = mapped_column(String(8), nullable=False)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # what ended it: call, serve, complete, skip, transfer, cancel
    end_reason: Mapped[str | None] = mapped_column(String(10))
    window_id: Mapped[int | None] = mapped_column(ForeignKey("booking_windows.id"))
    staff_id: Mapped[int | None] = mapped_column(Integer)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("booking_counter_sessions.id"))

    __table_args__ = (
        CheckConstraint("kind IN ('waiting', 'called', 'serving')", name="kind"),
        CheckConstraint("ended_at IS NULL OR ended_at >= started_at", name="ordered"),
        Index("ix_booking_ticket_periods_ticket_id", "ticket_id"),
        Index("uq_booking_ticket_periods_open", "ticket_id", unique=True, postgresql_where=text("ended_at IS NULL")),
        Index("ix_booking_ticket_periods_queue_ended", "queue_id", "kind", "ended_at"),
        Index("ix_booking_ticket_periods_hall_started", "hall_id", "started_at"),
    )
