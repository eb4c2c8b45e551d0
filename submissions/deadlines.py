"""Deadlines in working days (Asia/Shanghai, official holidays and make-up days).

The promised and statutory clocks start on the day of acceptance (that day not
counted, as `workdays.add_working_days` does) and stop while the application
waits for a supplement (补正): the working days spent waiting are added to
every due date when the citizen answers. The due dates are stored on the row,
so the work queue sorts by them and supervision selects on them in SQL.

Flags: `warning` (黄牌) from the day the used working days reach the warning
ratio (80%) of the promised time, `overdue` (红牌) after the promised due date.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime

from mobile_api import workdays
from mobile_api.clock import LOCAL_TZ

RUNNING_STATUSES = ("under_review", "approved", "denied")  # accepted, not yet completed (办结)


def local_date(at: datetime) -> date:
    return at.astimezone(LOCAL_TZ).date()


@dataclass(frozen=True)
class DueDates:
    warning_date: date
    promised_due_date: date
    statutory_due_date: date


def due_dates(start: date, promised_days: int, statutory_days: int, paused_working_days: int,
              warning_ratio: float) -> DueDates:
    warning_days = math.ceil(promised_days * warning_ratio)
    return DueDates(
        warning_date=workdays.add_working_days(start, warning_days + paused_working_days),
        promised_due_date=workdays.add_working_days(start, promised_days + paused_working_days),
        statutory_due_date=workdays.add_working_days(start, max(statutory_days, promised_days)
                                                     + paused_working_days),
    )


def start_values(accepted_at: datetime, promised_days: int, statutory_days: int, warning_ratio: float) -> dict:
    """Column values for an application accepted at `accepted_at`."""
    start = local_date(accepted_at)
    due = due_dates(start, promised_days, statutory_days, 0, warning_ratio)
    return {"clock_start_date": start, "paused_since": None, "paused_working_days": 0,
            "warning_date": due.warning_date, "promised_due_date": due.promised_due_date,
            "statutory_due_date": due.statutory_due_date}


def pause_values(now: datetime) -> dict:
    return {"paused_since": now}


def resume_values(application, now: datetime, warning_ratio: float) -> dict:
    """Column values when the citizen answers a supplement request: the working
    days in (day paused, day answered] are not counted against the clocks."""
    if application.clock_start_date is None or application.paused_since is None:
        return {"paused_since": None}
    paused = application.paused_working_days + max(
        0, workdays.working_days_between(local_date(application.paused_since), local_date(now)))
    due = due_dates(application.clock_start_date, application.promised_days, application.statutory_days,
                    paused, warning_ratio)
    return {"paused_since": None, "paused_working_days": paused, "warning_date": due.warning_date,
            "promised_due_date": due.promised_due_date, "statutory_due_date": due.statutory_due_date}


@dataclass(frozen=True)
class DeadlineView:
    flag: str  # none | normal | warning | overdue | paused | finished | finished_late
    used_working_days: int | None
    statutory_overdue: bool


def deadline_view(application, now: datetime) -> DeadlineView:
    if application.clock_start_date is None:
        return DeadlineView("none", None, False)
    today = local_date(now)
    if application.completed_at is not None:
        done = local_date(application.completed_at)
        late = application.promised_due_date is not None and done > application.promised_due_date
        used = workdays.working_days_between(application.clock_start_date, done) - application.paused_working_days
        return DeadlineView("finished_late" if late else "finished", max(0, used), False)
    if application.paused_since is not None:
        until = local_date(application.paused_since)
        used = workdays.working_days_between(application.clock_start_date, until) - application.paused_working_days
        return DeadlineView("paused", max(0, used), False)
    used = max(0, workdays.working_days_between(application.clock_start_date, today)
               - application.paused_working_days)
    statutory_overdue = today > application.statutory_due_date
    if today > application.promised_due_date:
        return DeadlineView("overdue", used, statutory_overdue)
    if today >= application.warning_date and application.promised_days > 0:
        return DeadlineView("warning", used, statutory_overdue)
    return DeadlineView("normal", used, statutory_overdue)
