"""电子监察 on the clock: tell a department once when one of its applications
gets its yellow card (warning) and once when it gets its red card (overdue).

The flags themselves are computed from the stored due dates on every read
(`services.queue`); this rule (`submissions.supervision`, cadence in
mobile_api/jobs/schedule.py) adds the push: a `staff.notify` outbox message
and an audit entry per application and level. The dedupe key carries the due
date, so an application whose clock moved (a supplement answered) is flagged
again for its new date; running the rule twice changes nothing.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from mobile_api.uow import commit_point
from mobile_api import audit, outbox
from mobile_api.actor import SYSTEM

from .deadlines import local_date
from .models import Application
from .services.queue import flag_condition

# The topic feedback's urges use too; no package delivers staff messages yet,
# so they wait in the outbox (and the supervision list shows the same flags).
STAFF_NOTIFY = "staff.notify"
BATCH = 1000


def _key(application_id: int, level: str, due) -> str:
    return f"submissions:{application_id}:{level}:{due.isoformat()}"


def notify_supervision(session: Session, clock, app=None) -> dict[str, int]:
    now = clock.now()
    today = local_date(now)
    counts = {"warning": 0, "overdue": 0}
    for level in ("warning", "overdue"):
        last_id = 0
        while True:
            rows = session.execute(
                select(Application.id, Application.department_code, Application.item_code,
                       Application.item_name, Application.promised_due_date)
                .where(flag_condition(level, today), Application.id > last_id)
                .order_by(Application.id).limit(BATCH)).all()
            if not rows:
                break
            last_id = rows[-1].id
            keys = {_key(row.id, level, row.promised_due_date) for row in rows}
            sent = set(session.scalars(select(outbox.OutboxMessage.dedupe_key).where(
                outbox.OutboxMessage.topic == STAFF_NOTIFY, outbox.OutboxMessage.dedupe_key.in_(keys))))
            for row in rows:
                key = _key(row.id, level, row.promised_due_date)
                if key in sent:
                    continue
                due = row.promised_due_date.isoformat()
                message = outbox.enqueue(session, STAFF_NOTIFY, {
                    "department_code": row.department_code, "event": f"application_{level}",
                    "data": {"application_id": row.id, "item_code": row.item_code, "item_name": row.item_name,
                             "promised_due_date": due}}, now, dedupe_key=key)
                if message is None:  # another run got there first
                    continue
                audit.record(session, SYSTEM, f"submissions.application_{level}", "application", row.id,
                             {"promised_due_date": due}, at=now)
                counts[level] += 1
            commit_point(session, "each batch of supervision notices stands on its own: a long sweep holds no locks")
    return counts
