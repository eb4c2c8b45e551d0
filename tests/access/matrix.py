"""The access matrix: for every operation that names an object in its path,
what each kind of principal gets. This table is the documentation
(`docs/access-matrix.md` is rendered from it) and the tests run it.

Answers: "ok" means access is granted (a 2xx, or an answer about the
object's state such as 409/422: never 401, 403 or 404); 401, 403 and 404 are
exact. 404 is how a citizen is told about someone else's record (its
existence is not revealed), and how staff of another hall are told about a
ticket of that hall.

Principal kinds, relative to the object's owner, hall and department:
"""

from __future__ import annotations

PRINCIPALS = (
    ("owner", "市民本人（对象的所有人）"),
    ("other_citizen", "其他市民"),
    ("anonymous", "未登录"),
    ("kiosk_here", "对象所在大厅的自助终端"),
    ("kiosk_elsewhere", "其他大厅的自助终端"),
    ("clerk_here", "对象所在大厅的窗口人员"),
    ("clerk_elsewhere", "其他大厅的窗口人员"),
    ("hall_admin_here", "对象所在大厅的大厅管理员"),
    ("hall_admin_elsewhere", "其他大厅的大厅管理员"),
    ("dept_admin_here", "对象所属部门的部门管理员"),
    ("dept_admin_elsewhere", "其他部门的部门管理员"),
    ("platform_admin", "平台管理员"),
)
KINDS = tuple(kind for kind, _ in PRINCIPALS)


def row(default, **overrides):
    """Expected answers: `default` for every kind, then the exceptions."""
    unknown = set(overrides) - set(KINDS)
    if unknown:
        raise ValueError(f"unknown principal kinds {unknown}")
    return {kind: overrides.get(kind, default) for kind in KINDS}


PUBLIC = row("ok")
CITIZEN_OWN = row(403, owner="ok", other_citizen=404, anonymous=401)
# Ticket reads: its citizen, and the kiosks and staff of its hall; a
# department admin runs items, not a hall's queue.
TICKET_READ = row(404, owner="ok", anonymous=401, kiosk_here="ok", clerk_here="ok", hall_admin_here="ok",
                  platform_admin="ok")
# Window work on a ticket: clerks of its hall only.
CLERK_OF_HALL = row(403, anonymous=401, clerk_here="ok")
HALL_MANAGERS = row(403, anonymous=401, hall_admin_here="ok", platform_admin="ok")
HALL_STAFF_READ = row(403, anonymous=401, clerk_here="ok", hall_admin_here="ok", platform_admin="ok")
CATALOGUE_EDIT = row(403, anonymous=401, dept_admin_here="ok", platform_admin="ok")

MATRIX = {
    # 办事指南
    ("GET", "/api/v1/guides/items/{code}"): PUBLIC,
    ("GET", "/api/v1/guides/themes/{theme_id}"): PUBLIC,
    ("POST", "/api/v1/guides/admin/items/{code}/draft"): CATALOGUE_EDIT,
    ("PUT", "/api/v1/guides/admin/items/{code}/draft"): CATALOGUE_EDIT,
    ("POST", "/api/v1/guides/admin/items/{code}/publish"): CATALOGUE_EDIT,
    ("POST", "/api/v1/guides/admin/items/{code}/retire"): CATALOGUE_EDIT,
    ("GET", "/api/v1/guides/admin/items/{code}/versions"): CATALOGUE_EDIT,
    ("GET", "/api/v1/guides/admin/items/{code}/versions/{revision}"): CATALOGUE_EDIT,
    # 预约取号
    ("GET", "/api/v1/booking/halls/{hall_id}"): PUBLIC,
    ("GET", "/api/v1/booking/halls/{hall_id}/slots"): PUBLIC,
    ("GET", "/api/v1/booking/halls/{hall_id}/board"): PUBLIC,
    ("POST", "/api/v1/booking/halls/{hall_id}/calendar-overrides"): HALL_MANAGERS,
    ("GET", "/api/v1/booking/halls/{hall_id}/stats"): HALL_STAFF_READ,
    ("GET", "/api/v1/booking/appointments/{appointment_id}"): CITIZEN_OWN,
    ("POST", "/api/v1/booking/appointments/{appointment_id}/cancel"): CITIZEN_OWN,
    ("POST", "/api/v1/booking/appointments/{appointment_id}/reschedule"): CITIZEN_OWN,
    ("GET", "/api/v1/booking/tickets/{ticket_id}"): TICKET_READ,
    ("POST", "/api/v1/booking/windows/{window_id}/call-next"): CLERK_OF_HALL,
    ("POST", "/api/v1/booking/tickets/{ticket_id}/recall"): CLERK_OF_HALL,
    ("POST", "/api/v1/booking/tickets/{ticket_id}/skip"): CLERK_OF_HALL,
    ("POST", "/api/v1/booking/tickets/{ticket_id}/requeue"): row(
        403, owner="ok", other_citizen=404, anonymous=401, kiosk_here="ok", clerk_here="ok"),
    ("POST", "/api/v1/booking/tickets/{ticket_id}/transfer"): CLERK_OF_HALL,
    ("POST", "/api/v1/booking/tickets/{ticket_id}/complete"): CLERK_OF_HALL,
}
