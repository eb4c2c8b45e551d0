"""Who may manage the catalogue, in one place, through `identity.access`.

| who               | manages                                  |
|-------------------|------------------------------------------|
| platform admin    | every department's items                 |
| department admin  | its own department's items               |
| anyone else       | nothing (reads are public)               |

A hall admin runs a hall (calendar, windows, queue); the catalogue is not
theirs, though it used to be taken for the platform admin.
"""

from __future__ import annotations

from identity import access
from mobile_api.actor import Actor
from mobile_api.errors import Forbidden

from ..errors import NotYourDepartment


def can_manage(actor: Actor, department_code: str) -> bool:
    return access.is_platform_admin(actor) or access.is_department_admin(actor, department_code)


def ensure_manages_code(session, actor: Actor, code: str) -> None:
    """Before anything about the item's state is told: only someone who may
    manage its department learns whether it has a draft or is published."""
    from sqlalchemy import select

    from ..models import ServiceItem

    if not (access.is_platform_admin(actor) or access.is_department_admin(actor)):
        raise Forbidden("只有平台管理员和部门管理员可以管理办事指南")
    department = session.scalar(select(ServiceItem.department_code).where(ServiceItem.code == code)
                                .order_by(ServiceItem.revision.desc()).limit(1))
    if department is not None:
        ensure_can_manage(actor, department)


def ensure_can_manage(actor: Actor, department_code: str) -> None:
    if can_manage(actor, department_code):
        return
    if access.is_department_admin(actor):
        raise NotYourDepartment(f"您只能管理本部门（{actor.department_code}）的事项")
    raise Forbidden("只有平台管理员和部门管理员可以管理办事指南")
