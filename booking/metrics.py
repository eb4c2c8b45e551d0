"""Booking's contribution to /metrics: today's appointments and queue tickets
by status, read from the database at scrape time (so every worker answers
the same, and a restart loses nothing)."""

from __future__ import annotations

from sqlalchemy import func, select

from .models import Appointment, Ticket
from .services.common import local_today


def _today_by_status(app, model):
    today = local_today(app.extensions["clock"].now())
    with app.extensions["db"].new_session() as session:
        rows = session.execute(select(model.status, func.count()).where(model.local_date == today)
                               .group_by(model.status)).all()
    return [((status,), count) for status, count in sorted(rows)]


def appointments_today(app):
    return _today_by_status(app, Appointment)


def tickets_today(app):
    return _today_by_status(app, Ticket)


def waiting_warnings_today(app):
    from .services.supervision import warnings_today

    with app.extensions["db"].new_session() as session:
        rows = warnings_today(session, app.extensions["clock"].now())
    return [((str(hall_id),), count) for hall_id, count in rows]


def register(app) -> None:
    from mobile_api.metrics import register_gauge_source

    register_gauge_source(app, "fingertip_booking_appointments_today", "今日 (上海时间) 预约数, 按状态", ["status"],
                          appointments_today)
    register_gauge_source(app, "fingertip_booking_tickets_today", "今日 (上海时间) 取号数, 按状态", ["status"],
                          tickets_today)
    register_gauge_source(app, "fingertip_booking_waiting_warnings_today",
                          "今日 (上海时间) 排队等候超时预警（电子监察）的号数, 按大厅", ["hall_id"], waiting_warnings_today)
