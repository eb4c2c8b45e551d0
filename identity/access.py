"""Who a principal is, in one place: roles and their scopes.

Every package expresses its object rules (`can_read_ticket(actor, ticket)`)
through these predicates instead of reading `role`, `department_code` and
`hall_id` itself, so "is this a platform admin?" has one answer everywhere.

| kind               | role     | department | hall | acts for                                      |
|--------------------|----------|------------|------|-----------------------------------------------|
| platform admin     | admin    | —          | —    | everything; also the 12345 dispatcher          |
| department admin   | admin    | set        | any  | its department's items, cases, staff           |
| hall admin         | admin    | —          | set  | its hall: calendar, windows, queue, statistics |
| clerk              | clerk    | any        | set  | its hall's windows and tickets                 |
| approver           | approver | set        | any  | its department's applications                  |
| kiosk              | kiosk    | —          | set  | its hall's check-in and tickets                |
| citizen            | citizen  | —          | —    | its own records                                |

A clerk's department says at which department's window it sits (a 公安
window); it does not make the clerk that department's back office, so a
clerk never acts for a department (`acts_for_department`): 12345 cases,
department ratings and their rectifications, applications under review are
handled by approvers and department admins. An admin with both a department
and a hall is a department admin (placed in a hall: it reads that hall's
tickets and statistics, but does not manage the hall's calendar or windows).
"""

from __future__ import annotations

from mobile_api.actor import Actor
from mobile_api.errors import Forbidden, NotFound

PLATFORM_ADMIN = "platform_admin"
DEPARTMENT_ADMIN = "department_admin"
HALL_ADMIN = "hall_admin"
CLERK = "clerk"
APPROVER = "approver"
KIOSK = "kiosk"
CITIZEN = "citizen"
ANONYMOUS = "anonymous"
SYSTEM = "system"


def kind_of(actor: Actor | None) -> str:
    """The principal kind of the table above."""
    if actor is None or actor.kind == "anonymous":
        return ANONYMOUS
    if actor.kind == "system":
        return SYSTEM
    if actor.kind == "citizen":
        return CITIZEN
    if actor.kind == "kiosk":
        return KIOSK
    if actor.role == "admin":
        if actor.department_code is not None:
            return DEPARTMENT_ADMIN
        return HALL_ADMIN if actor.hall_id is not None else PLATFORM_ADMIN
    return CLERK if actor.role == "clerk" else APPROVER


def is_staff(actor: Actor | None) -> bool:
    return actor is not None and actor.kind == "staff"


def is_platform_admin(actor: Actor | None) -> bool:
    return kind_of(actor) == PLATFORM_ADMIN


def is_dispatcher(actor: Actor | None) -> bool:
    """The 12345 dispatcher who assigns cases to departments: the platform admin."""
    return is_platform_admin(actor)


def is_department_admin(actor: Actor | None, department_code: str | None = None) -> bool:
    return kind_of(actor) == DEPARTMENT_ADMIN and (department_code is None
                                                   or actor.department_code == department_code)


def is_hall_admin(actor: Actor | None, hall_id: int | None = None) -> bool:
    return kind_of(actor) == HALL_ADMIN and (hall_id is None or actor.hall_id == hall_id)


def acts_for_hall(actor: Actor | None, hall_id: int | None) -> bool:
    """The platform admin, or staff and kiosks placed in that hall."""
    if is_platform_admin(actor):
        return True
    return (actor is not None and actor.kind in ("staff", "kiosk") and hall_id is not None
            and actor.hall_id == hall_id)


def placed_in_hall(actor: Actor | None) -> bool:
    """Staff or a kiosk that belongs to some hall (a window clerk created with
    only a department belongs to none, so it serves at no window)."""
    return actor is not None and actor.kind in ("staff", "kiosk") and actor.hall_id is not None


def manages_hall(actor: Actor | None, hall_id: int | None) -> bool:
    """Changes a hall's calendar, windows or reads its statistics: the
    platform admin or that hall's admin (a clerk serves, it does not manage)."""
    return is_platform_admin(actor) or (hall_id is not None and is_hall_admin(actor, hall_id))


# The staff kinds who act in a department's name (its back office).
_DEPARTMENT_KINDS = (DEPARTMENT_ADMIN, APPROVER)


def acts_for_department(actor: Actor | None, department_code: str | None) -> bool:
    """The platform admin, or the department's admins and approvers; never a
    clerk, whatever department its window belongs to."""
    if is_platform_admin(actor):
        return True
    return (kind_of(actor) in _DEPARTMENT_KINDS and department_code is not None
            and actor.department_code == department_code)


def department_of(actor: Actor | None) -> str | None:
    """The department this principal acts for (None: none, or the platform
    admin, who acts for all): what a list narrows to."""
    return actor.department_code if kind_of(actor) in _DEPARTMENT_KINDS else None


def owns(actor: Actor | None, citizen_id: int | None) -> bool:
    return actor is not None and actor.kind == "citizen" and citizen_id is not None and actor.id == citizen_id


def ensure_owner(actor: Actor, owner_citizen_id: int, what: str = "资源") -> None:
    """A citizen may only touch their own records. Someone else's record is
    answered as not found, so its existence is not revealed."""
    if not owns(actor, owner_citizen_id):
        raise NotFound(f"{what}不存在")


def ensure_department(actor: Actor, department_code: str | None) -> None:
    """Staff act only for their own department; the platform admin for all."""
    if not is_staff(actor):
        raise Forbidden("仅工作人员可执行此操作")
    if not acts_for_department(actor, department_code):
        raise Forbidden("只能处理本部门的事项")


def ensure_platform_admin(actor: Actor, message: str = "仅平台管理员可执行此操作", code: str | None = None) -> None:
    if not is_platform_admin(actor):
        raise Forbidden(message, code=code)
