"""What this package tells the rest of the platform through mobile_api.hooks:
served events (for 好差评), citizen merges and erasure."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from mobile_api import audit
from mobile_api.actor import SYSTEM
from mobile_api.hooks import ServedEvent

from .models import Application, ApplicationEvent, ApplicationFile, Certificate, ThemeApplication

ERASED = "（已删除）"


def served_application(session: Session, application_id: int) -> ServedEvent | None:
    """A completed or delivered application is a finished service; the approver
    who decided it may not rate it."""
    application = session.get(Application, application_id)
    if application is None:
        return None
    finished = application.status in ("completed", "delivered")
    return ServedEvent(kind="application", id=application.id, citizen_id=application.citizen_id, finished=finished,
                       finished_at=application.completed_at if finished else None,
                       department_code=application.department_code, hall_id=application.accepted_hall_id,
                       item_code=application.item_code, staff_id=application.decided_by)


def merge_citizen(session: Session, from_citizen_id: int, into_citizen_id: int) -> None:
    for model in (Application, ThemeApplication, Certificate):
        session.execute(update(model).where(model.citizen_id == from_citizen_id)
                        .values(citizen_id=into_citizen_id).execution_options(synchronize_session=False))


# Handed in but never accepted: the citizen may still withdraw these.
_WITHDRAWABLE = ("submitted", "supplement_requested")
WITHDRAWN_ON_CLOSURE = "申请人已注销账号，未受理的申请自动撤回"


def erase_citizen(session: Session, citizen_id: int, now: datetime) -> None:
    """Drafts (never submitted) go entirely. An application handed in but never
    accepted is withdrawn, as the citizen could have done: it leaves the
    general desk's queue. No never-accepted application keeps its files (ID
    card scans): no case was opened on them. Accepted applications are a
    record the law requires us to keep: they stay, pseudonymised — no link to
    the citizen, the form's values blanked, the postal address dropped."""
    drafts = list(session.scalars(select(Application.id).where(Application.citizen_id == citizen_id,
                                                               Application.status == "draft")))
    if drafts:
        session.execute(delete(ApplicationFile).where(ApplicationFile.application_id.in_(drafts)))
        session.execute(delete(ApplicationEvent).where(ApplicationEvent.application_id.in_(drafts)))
        session.execute(delete(Application).where(Application.id.in_(drafts)))
    _withdraw_unaccepted(session, citizen_id, now)
    for application in session.scalars(select(Application).where(Application.citizen_id == citizen_id)):
        application.form_data = {name: ERASED for name in (application.form_data or {})}
        application.postal_address = None
        application.citizen_id = None
        application.erased_at = now
    for model in (ThemeApplication, Certificate):
        session.execute(update(model).where(model.citizen_id == citizen_id).values(citizen_id=None)
                        .execution_options(synchronize_session=False))
    session.flush()


def _withdraw_unaccepted(session: Session, citizen_id: int, now: datetime) -> None:
    # Conditional on the state seen, like every move of the workflow: a clerk
    # accepting at this moment wins or loses cleanly (the row lock decides).
    withdrawn = list(session.scalars(
        update(Application)
        .where(Application.citizen_id == citizen_id, Application.status.in_(_WITHDRAWABLE),
               Application.accepted_at.is_(None))
        .values(status="withdrawn", closed_at=now, updated_at=now, row_version=Application.row_version + 1)
        .returning(Application.id)
        .execution_options(synchronize_session=False)))
    for application_id in withdrawn:
        session.add(ApplicationEvent(application_id=application_id, at=now, action="withdraw", from_status=None,
                                     to_status="withdrawn", actor_kind=SYSTEM.kind, actor_id=None,
                                     actor_role=SYSTEM.role, channel=None, opinion=WITHDRAWN_ON_CLOSURE))
        audit.record(session, SYSTEM, "submissions.application_withdraw", "application", application_id,
                     {"to": "withdrawn", "reason": "citizen_erased"}, at=now)
    never_accepted = select(Application.id).where(Application.citizen_id == citizen_id,
                                                  Application.accepted_at.is_(None))
    session.execute(delete(ApplicationFile).where(ApplicationFile.application_id.in_(never_accepted))
                    .execution_options(synchronize_session=False))
