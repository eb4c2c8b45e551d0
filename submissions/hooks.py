"""What this package tells the rest of the platform through mobile_api.hooks:
served events (for 好差评), citizen merges and erasure."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

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


def erase_citizen(session: Session, citizen_id: int, now: datetime) -> None:
    """Drafts (never submitted) go entirely. Submitted applications are a record
    the law requires us to keep: they stay, pseudonymised — no link to the
    citizen, the form's values blanked, the postal address dropped."""
    drafts = list(session.scalars(select(Application.id).where(Application.citizen_id == citizen_id,
                                                               Application.status == "draft")))
    if drafts:
        session.execute(delete(ApplicationFile).where(ApplicationFile.application_id.in_(drafts)))
        session.execute(delete(ApplicationEvent).where(ApplicationEvent.application_id.in_(drafts)))
        session.execute(delete(Application).where(Application.id.in_(drafts)))
    for application in session.scalars(select(Application).where(Application.citizen_id == citizen_id)):
        application.form_data = {name: ERASED for name in (application.form_data or {})}
        application.postal_address = None
        application.citizen_id = None
        application.erased_at = now
    for model in (ThemeApplication, Certificate):
        session.execute(update(model).where(model.citizen_id == citizen_id).values(citizen_id=None)
                        .execution_options(synchronize_session=False))
    session.flush()
