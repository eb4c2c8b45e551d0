"""谁办理、谁负责: to whom a rating (and its rectification) is attributed.

- An on-site rating of a served ticket goes to the hall, window and clerk
  who served it, and the unit that employs the clerk answers for it: a
  department's own clerk (at its special window, e.g. 公安) → that
  department; a hall's clerk at a 综合窗口 (no department) → the hall, not
  the department that owns the item. The ticket's served event carries the
  window and the clerk the ticket records (booking; a counter session, when
  it records one, is what sets them).
- An online rating of an application goes to the department that decided it
  (the deciding approver's department; the item's department when no
  decider is recorded).
- A case goes to the department that replied (as its served event says).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from identity.staff_directory import staff_facts
from mobile_api.hooks import ServedEvent


@dataclass(frozen=True)
class Attribution:
    department_code: str | None  # None: the hall answers (a general window)
    hall_id: int | None
    window_id: int | None
    staff_id: int | None


def attribute(session: Session, event: ServedEvent) -> Attribution:
    staff = staff_facts(session, [event.staff_id]).get(event.staff_id) if event.staff_id else None
    if event.kind == "ticket":
        if staff is None:  # nobody recorded as serving: the item's department
            return Attribution(event.department_code, event.hall_id, event.window_id, event.staff_id)
        return Attribution(staff["department_code"], event.hall_id or staff["hall_id"], event.window_id,
                           event.staff_id)
    if event.kind == "application":
        department = (staff or {}).get("department_code") or event.department_code
        return Attribution(department, event.hall_id, None, event.staff_id)
    return Attribution(event.department_code, event.hall_id, event.window_id, event.staff_id)
