"""Booking's periodic rule (cadence: mobile_api/jobs/schedule.py).

Reminders the day before and an hour before are not a rule of their own:
they are outbox messages written with the booking, due at their time, and
the platform's outbox delivery rule sends them (and skips them if the
appointment was cancelled or moved)."""

from __future__ import annotations

from .policy import policy_from_config
from .services import appointments


def mark_no_shows(session, clock, app) -> dict[str, int]:
    count = appointments.sweep_no_shows(session, clock, policy_from_config(app.config))
    return {"no_shows_marked": count}


def waiting_warnings(session, clock, app) -> dict[str, int]:
    from .services import supervision

    return {"waiting_warnings": supervision.warn_long_waits(session, clock, policy_from_config(app.config))}


def close_forgotten_sessions(session, clock, app) -> dict[str, int]:
    from .services import counter

    return {"sessions_closed": counter.close_forgotten(session, clock)}
