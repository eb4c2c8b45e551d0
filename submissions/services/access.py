"""Who may see and touch an application, a 一件事 bundle or a certificate:
every object rule of the package, expressed through `identity.access`.

| who                      | reads                                              | acts                                  |
|--------------------------|----------------------------------------------------|---------------------------------------|
| citizen                  | own applications, bundles, certificates            | own drafts: edit, submit, withdraw    |
| clerk                    | every department's until accepted (general desk),  | accept, refuse, ask a supplement at   |
|                          | then only those its own hall accepted              | the desk, deliver                     |
| approver                 | its department's                                   | supplement during review, approve,    |
|                          |                                                    | deny, complete; revoke its certificates|
| department admin         | its department's (queue in any status, supervision)| revoke its department's certificates  |
| platform admin           | all (queue in any status, supervision of all)      | revoke any certificate                |
| hall admin, kiosk        | none: they run a hall, applications are not theirs | —                                     |

A draft is the citizen's alone: until it is submitted (`submitted_at` set) no
staff member reads it, its materials or its files, and no staff list shows it
(`visible_to_staff`, `STAFF_VISIBLE`); a draft withdrawn before submission
stays the citizen's. Someone else's application is answered to a citizen as
not found (its existence is not revealed), and so is a draft to staff; an
application outside a staff member's scope as forbidden.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from identity import access
from mobile_api.actor import Actor

from ..errors import ApplicationNotFound, CertificateNotFound, StaffForbidden
from ..models import Application, Certificate, ThemeApplication

# The staff kinds who handle applications at all.
_HANDLERS = (access.CLERK, access.APPROVER, access.DEPARTMENT_ADMIN, access.PLATFORM_ADMIN)


# -- applications ----------------------------------------------------------------

def get_application(session: Session, application_id: int) -> Application:
    application = session.get(Application, application_id)
    if application is None:
        raise ApplicationNotFound(f"申请 {application_id} 不存在")
    return application


def own_application(session: Session, actor: Actor, application_id: int) -> Application:
    application = session.get(Application, application_id)
    if application is None or not access.owns(actor, application.citizen_id):
        raise ApplicationNotFound(f"申请 {application_id} 不存在")
    return application


# SQL form of `visible_to_staff`, for every staff list of applications.
STAFF_VISIBLE = Application.submitted_at.is_not(None)


def visible_to_staff(application: Application) -> bool:
    """Has the citizen ever handed it in? Until then it is a private draft."""
    return application.submitted_at is not None


def staff_may_read(actor: Actor, application: Application) -> bool:
    if not visible_to_staff(application):
        return False
    kind = access.kind_of(actor)
    if kind == access.CLERK:
        # The general desk sees what waits for acceptance; once accepted, the
        # application belongs to the hall that accepted it (and its delivery).
        accepted_at = application.accepted_hall_id
        return accepted_at is None or access.acts_for_hall(actor, accepted_at)
    if kind == access.PLATFORM_ADMIN:
        return True
    if kind in (access.APPROVER, access.DEPARTMENT_ADMIN):
        return access.acts_for_department(actor, application.department_code)
    return False


def staff_application(session: Session, actor: Actor, application_id: int) -> Application:
    application = get_application(session, application_id)
    if not visible_to_staff(application):
        raise ApplicationNotFound(f"申请 {application_id} 不存在")
    if not staff_may_read(actor, application):
        raise StaffForbidden("只能查看本部门或综合窗口受理范围内的申请")
    return application


def check_step(actor: Actor, application: Application, action: str, roles: tuple[str, ...],
               own_department: bool, label: str) -> None:
    """May this staff member take `action` (a workflow step) on the application?
    Clerks act for every department at the general desk; decisions belong to
    approvers of the owning department. A supplement during review is asked by
    the approver, before acceptance by the clerk. Admins handle no steps."""
    kind = access.kind_of(actor)
    if action == "request_supplement":
        roles = (access.CLERK,) if application.status == "submitted" else (access.APPROVER,)
    if kind not in roles:
        who = "综合窗口工作人员" if roles == (access.CLERK,) else "本部门审批人员"
        raise StaffForbidden(f"“{label}”只能由{who}办理")
    if kind == access.CLERK and not access.placed_in_hall(actor):
        # Its steps are taken at a hall's window; an acceptance without a hall
        # would leave the application at every hall's general desk for good.
        raise StaffForbidden(f"“{label}”须由服务大厅的窗口工作人员办理，您的账号未分配大厅")
    needs_department = own_department or (action == "request_supplement" and kind == access.APPROVER)
    if needs_department and not access.acts_for_department(actor, application.department_code):
        raise StaffForbidden("只有事项所属部门的审批人员可以作出决定")


# -- staff lists -----------------------------------------------------------------

def queue_scope(actor: Actor, department_code: str | None) -> tuple[bool, str | None, bool]:
    """(desk view, department to restrict to or None for all, may filter any
    status) of the work queue. Clerks see the general desk of every
    department (narrowed by the filters they give); approvers and department
    admins their department; the platform admin whichever department it asks."""
    kind = access.kind_of(actor)
    if kind not in _HANDLERS:
        raise StaffForbidden("仅处理申请的工作人员可查看工作队列")
    if kind == access.CLERK:
        return True, department_code, False
    any_status = kind in (access.PLATFORM_ADMIN, access.DEPARTMENT_ADMIN)
    if kind == access.PLATFORM_ADMIN:
        return False, department_code, any_status
    if department_code and not access.acts_for_department(actor, department_code):
        raise StaffForbidden("只能查看本部门的申请")
    if actor.department_code is None:
        raise StaffForbidden("审批人员须属于某一部门")
    return False, actor.department_code, any_status


def supervision_scope(actor: Actor, department_code: str | None) -> str | None:
    """The department whose warnings and overdue applications the actor may
    see (None: all, for the platform admin)."""
    kind = access.kind_of(actor)
    if kind == access.PLATFORM_ADMIN:
        return department_code
    if kind not in (access.APPROVER, access.DEPARTMENT_ADMIN):
        raise StaffForbidden("电子监察仅对管理员和本部门审批人员开放")
    if actor.department_code is None:
        raise StaffForbidden("审批人员须属于某一部门")
    if department_code and not access.acts_for_department(actor, department_code):
        raise StaffForbidden("只能查看本部门的电子监察信息")
    return actor.department_code


# -- 一件事 bundles ---------------------------------------------------------------

def own_bundle(session: Session, actor: Actor, bundle_id: int) -> ThemeApplication:
    bundle = session.get(ThemeApplication, bundle_id)
    if bundle is None or not access.owns(actor, bundle.citizen_id):
        raise ApplicationNotFound(f"一件事申请 {bundle_id} 不存在")
    return bundle


# -- certificates ----------------------------------------------------------------

def holder_certificate(session: Session, actor: Actor, certificate_id: str) -> Certificate:
    certificate = session.get(Certificate, certificate_id)
    if certificate is None or not access.owns(actor, certificate.citizen_id):
        raise CertificateNotFound("电子证照不存在")
    return certificate


def may_revoke_certificate(actor: Actor, certificate: Certificate) -> bool:
    """The platform admin, or an approver or admin of the issuing department."""
    kind = access.kind_of(actor)
    if kind == access.PLATFORM_ADMIN:
        return True
    return kind in (access.APPROVER, access.DEPARTMENT_ADMIN) and access.acts_for_department(
        actor, certificate.department_code)
