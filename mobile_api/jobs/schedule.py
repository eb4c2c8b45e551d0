"""Every time-driven rule of the service and how often it runs, in one place.

A package registers the function behind its rule in its own `init_app`
(`mobile_api.jobs.register_periodic(app, name, fn)`); the cadence comes from
here, so an operator reads one table to know what runs when. A rule name
that is not listed here is refused at start-up.

Periods are aligned on Asia/Shanghai midnight (a rule every hour runs once in
each local clock hour), so "this period has run" is the same key for every
scheduler and worker: see `periods.period_of`.
"""

from __future__ import annotations

from datetime import timedelta

CADENCES: dict[str, timedelta] = {
    # Deliver due outbox messages (WeChat subscribe messages, booking
    # reminders the day before and an hour before, which wait in the outbox
    # until their time). Each message has its own retries and back-off.
    "platform.outbox_delivery": timedelta(seconds=15),
    # 爽约: booked appointments whose check-in window has closed.
    "booking.mark_no_shows": timedelta(minutes=5),
    # 电子监察 of the queue: tickets waiting past BOOKING_WAITING_WARNING_MINUTES
    # (one warning per ticket to the hall's admins).
    "booking.waiting_warnings": timedelta(minutes=1),
    # Counter sessions a clerk left open past midnight end at their day's end.
    "booking.close_forgotten_sessions": timedelta(minutes=30),
    # 电子监察: department notices for applications reaching their yellow card
    # (warning) or red card (overdue); the flags themselves are computed from
    # the stored due dates.
    "submissions.supervision": timedelta(minutes=30),
    # Cases past their reply limit, urges (催办), replied cases closed without
    # a verdict, rectifications overdue, default ratings.
    "feedback.sweep": timedelta(minutes=10),
    # Retained face frames past their time, old frame digests, spent challenges.
    "identity.face_purge": timedelta(hours=1),
}


def cadence_of(name: str) -> timedelta:
    try:
        return CADENCES[name]
    except KeyError:
        raise ValueError(f"periodic rule {name!r} has no cadence in mobile_api/jobs/schedule.py") from None
