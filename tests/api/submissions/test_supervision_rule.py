"""The periodic rule `submissions.supervision`: one notice to the department
and one audit entry per application and card, however often it runs."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from mobile_api.audit import AuditEntry
from mobile_api.jobs.registry import rule_named
from mobile_api.jobs.runs import run_period
from mobile_api.outbox import OutboxMessage

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _morning(day: str | date) -> datetime:
    day = date.fromisoformat(day) if isinstance(day, str) else day
    return datetime.combine(day, time(9, 0), SHANGHAI)


def test_each_card_is_notified_once_to_the_department(flow, session, clock, app):
    app_id = flow.accepted()
    deadline = flow.staff_get(app_id).json["deadline"]

    def run():
        return run_period(app, rule_named(app, "submissions.supervision"), "t", timedelta(minutes=10)).result

    assert run() == {"warning": 0, "overdue": 0}
    clock.set(_morning(deadline["warning_date"]))
    assert run() == {"warning": 1, "overdue": 0}
    clock.advance(minutes=30)
    assert run() == {"warning": 0, "overdue": 0}  # a later period: nothing new
    clock.set(_morning(date.fromisoformat(deadline["promised_due_date"]) + timedelta(days=1)))
    assert run() == {"warning": 0, "overdue": 1}
    clock.advance(minutes=30)
    assert run() == {"warning": 0, "overdue": 0}

    notices = session.scalars(select(OutboxMessage).where(OutboxMessage.topic == "staff.notify")
                              .order_by(OutboxMessage.id)).all()
    assert [(n.payload["event"], n.payload["department_code"], n.payload["data"]["application_id"])
            for n in notices] == [("application_warning", "canlian", app_id), ("application_overdue", "canlian", app_id)]
    actions = session.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "application",
                                                              AuditEntry.object_id == str(app_id),
                                                              AuditEntry.principal_kind == "system")).all()
    assert sorted(actions) == ["submissions.application_overdue", "submissions.application_warning"]


def test_a_finished_application_gets_no_card(flow, session, clock, app):
    app_id = flow.accepted()
    assert flow.staff(flow.approver, app_id, "approve").status_code == 200
    assert flow.staff(flow.approver, app_id, "complete").status_code == 200
    clock.advance(days=60)
    result = run_period(app, rule_named(app, "submissions.supervision"), "t", timedelta(minutes=10)).result
    assert result == {"warning": 0, "overdue": 0}
