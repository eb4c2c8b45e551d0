"""Who may see and touch an application.

Citizens see only their own (someone else's is answered as not found). Staff
who handle an application may read it: clerks at the general desk for every
department until it is accepted, then the clerks of the accepting hall, approvers and department admins for their own department, a
platform admin (no department) for all.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from mobile_api.actor import Actor

from ..errors import ApplicationNotFound, StaffForbidden
from ..models import Application


def get_application(session: Session, application_id: int) -> Application:
    application = session.get(Application, application_id)
    if application is None:
        raise ApplicationNotFound(f"申请 {application_id} 不存在")
    return application


def own_application(session: Session, actor: Actor, application_id: int) -> Application:
    application = session.get(Application, application_id)
    if application is None or actor.kind != "citizen" or application.citizen_id != actor.id:
        raise ApplicationNotFound(f"申请 {application_id} 不存在")
    return application


def staff_may_read(actor: Actor, application: Application) -> bool:
    if not actor.is_staff:
        return False
    if actor.role == "clerk":
        # The general desk sees what waits for acceptance; once accepted, the
        # application belongs to the hall that accepted it (and its delivery).
        accepted_at = getattr(application, "accepted_hall_id", None)
        return accepted_at is None or actor.hall_id is None or accepted_at == actor.hall_id
    if actor.role == "admin" and actor.department_code is None:
        return True
    return actor.role in ("approver", "admin") and actor.department_code == application.department_code


def staff_application(session: Session, actor: Actor, application_id: int) -> Application:
    application = get_application(session, application_id)
    if not staff_may_read(actor, application):
        raise StaffForbidden("只能查看本部门或综合窗口受理范围内的申请")
    return application
