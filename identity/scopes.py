"""Does a department or a hall named for a staff member or kiosk exist?

Departments belong to the catalogue (guides) and halls to booking; identity
asks their services when those packages are installed and trusts the name
otherwise (a shell without them has nothing to check against).
"""

from __future__ import annotations

import importlib.util

from sqlalchemy.orm import Session

from mobile_api.db import MAX_INTEGER_ID

from .errors import UnknownScope


def _installed(package: str) -> bool:
    return importlib.util.find_spec(package) is not None


def department_exists(session: Session, code: str) -> bool:
    if not _installed("guides"):
        return True
    from guides.services.catalogue import get_department

    return get_department(session, code) is not None


def hall_exists(session: Session, hall_id: int) -> bool:
    if not 0 < hall_id <= MAX_INTEGER_ID:
        return False
    if not _installed("booking"):
        return True
    from booking.errors import HallNotFound
    from booking.services.common import get_hall

    try:
        get_hall(session, hall_id, active_only=False)
    except HallNotFound:
        return False
    return True


def ensure_scope_exists(session: Session, department_code: str | None, hall_id: int | None) -> None:
    errors = {}
    if department_code is not None and not department_exists(session, department_code):
        errors["department_code"] = [f"部门 {department_code} 不存在"]
    if hall_id is not None and not hall_exists(session, hall_id):
        errors["hall_id"] = [f"服务大厅 {hall_id} 不存在"]
    if errors:
        raise UnknownScope("；".join(message for messages in errors.values() for message in messages),
                           errors=errors)
