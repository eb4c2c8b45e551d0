"""Staff as others need to know them: the 企业微信 (WeCom) binding that staff
notices are sent through, the admins' staff listing and search, who receives
a notice addressed to a department or a hall, and display names for
statistics.

Binding: an admin who manages the account (identity.staff_admin's rule) or
the staff member themselves; audited either way, with the old and new member
id. One WeCom member per account: a unique constraint settles two bindings of
the same id at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mobile_api import audit
from mobile_api.actor import Actor
from mobile_api.errors import Forbidden

from . import access
from .errors import InvalidWeComUserId, WeComUserIdTaken
from .models import StaffUser
from .staff_admin import ensure_can_manage_staff

# WeCom member ids (成员UserID): 1–64 characters of letters, digits and _-.@
WECOM_USERID = re.compile(r"^[A-Za-z0-9_.@\-]{1,64}$")


def set_wecom_userid(session: Session, clock, actor: Actor, staff: StaffUser, userid: str | None) -> StaffUser:
    """Bind (or with None unbind) the WeCom member id staff notices go to."""
    if not (actor.kind == "staff" and actor.id == staff.id):
        ensure_can_manage_staff(actor, staff)
    if userid is not None:
        userid = userid.strip()
        if not WECOM_USERID.match(userid):
            raise InvalidWeComUserId("企业微信账号应为 1–64 位字母、数字或 _ - . @",
                                     errors={"wecom_userid": ["格式不正确"]})
    previous = staff.wecom_userid
    if previous == userid:
        return staff
    try:
        with session.begin_nested():
            staff.wecom_userid = userid
            session.flush()
    except IntegrityError as exc:
        raise WeComUserIdTaken(f"企业微信账号 {userid} 已绑定其他工作人员",
                               errors={"wecom_userid": ["已被占用"]}) from exc
    audit.record(session, actor, "staff.wecom_bind" if userid else "staff.wecom_unbind", "staff", staff.id,
                 {"previous": previous, "wecom_userid": userid}, at=clock.now())
    return staff


# -- listing and search ------------------------------------------------------

def staff_listing(actor: Actor, *, q: str | None = None, role: str | None = None,
                  department_code: str | None = None, hall_id: int | None = None, active: bool | None = None):
    """The staff an admin may see: the platform admin everyone, a department
    admin their department's, a hall admin their hall's. `q` matches the
    username or the display name (case-insensitive substring)."""
    stmt = select(StaffUser)
    if access.is_platform_admin(actor):
        pass
    elif access.is_department_admin(actor):
        stmt = stmt.where(StaffUser.department_code == actor.department_code)
    elif access.is_hall_admin(actor):
        stmt = stmt.where(StaffUser.hall_id == actor.hall_id)
    else:
        raise Forbidden("仅管理员可查看工作人员名单")
    if q:
        pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(or_(StaffUser.username.ilike(pattern, escape="\\"),
                              StaffUser.display_name.ilike(pattern, escape="\\")))
    if role:
        stmt = stmt.where(StaffUser.role == role)
    if department_code:
        stmt = stmt.where(StaffUser.department_code == department_code)
    if hall_id is not None:
        stmt = stmt.where(StaffUser.hall_id == hall_id)
    if active is not None:
        stmt = stmt.where(StaffUser.active.is_(active))
    return stmt.order_by(StaffUser.id)


# -- notice recipients and names ---------------------------------------------

@dataclass(frozen=True)
class Recipient:
    staff_id: int
    wecom_userid: str | None


def _recipients(session: Session, *where) -> list[Recipient]:
    rows = session.execute(select(StaffUser.id, StaffUser.wecom_userid)
                           .where(StaffUser.active.is_(True), *where).order_by(StaffUser.id))
    return [Recipient(staff_id, userid) for staff_id, userid in rows]


def notice_recipients(session: Session, *, staff_ids=None, department_code: str | None = None,
                      hall_id: int | None = None) -> list[Recipient]:
    """Who a staff notice goes to. Named staff if given; otherwise the admins
    of the department (or, without a department, of the hall), falling back
    to every active member of it, and finally to the platform admins, so a
    notice never lands with nobody."""
    if staff_ids:
        ids = [i for i in staff_ids if isinstance(i, int) and not isinstance(i, bool)]
        found = _recipients(session, StaffUser.id.in_(ids)) if ids else []
        if found:
            return found
    scope = None
    if department_code:
        scope = StaffUser.department_code == department_code
    elif hall_id is not None:
        scope = (StaffUser.hall_id == hall_id) & StaffUser.department_code.is_(None)
    if scope is not None:
        found = _recipients(session, scope, StaffUser.role == "admin") or _recipients(session, scope)
        if found:
            return found
    return _recipients(session, StaffUser.role == "admin", StaffUser.department_code.is_(None),
                       StaffUser.hall_id.is_(None))


def staff_facts(session: Session, staff_ids) -> dict[int, dict]:
    """{id: {display_name, department_code, hall_id}} for statistics and attribution."""
    ids = sorted({i for i in staff_ids if isinstance(i, int)})
    if not ids:
        return {}
    rows = session.execute(select(StaffUser.id, StaffUser.display_name, StaffUser.department_code,
                                  StaffUser.hall_id).where(StaffUser.id.in_(ids)))
    return {row.id: {"display_name": row.display_name, "department_code": row.department_code,
                     "hall_id": row.hall_id} for row in rows}
