"""The access matrix: for every operation that names an object in its path,
what each kind of principal gets. This table is the documentation
(`docs/access-matrix.md` is rendered from it) and the tests run it.

Answers: "ok" means access is granted (a 2xx, or an answer about the
object's state such as 409/422: never 401, 403 or 404); 401, 403 and 404 are
exact. 404 is how a citizen is told about someone else's record (its
existence is not revealed), how staff of another hall are told about a
ticket of that hall, and how staff outside a case's or a rating's
department are told about it (feedback).

"Here" is the object's hall (a ticket's hall, the hall that accepted an
application, the hall of a general-window rating) and its department (the
item's department for an application or a certificate, the department
holding a case, the department of a rated event).

Each row is run in the state in which the operation makes sense (an
application to accept is submitted, one to approve is under review, ...);
where the answer depends on the state, the runner's docstring says which.

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
    # Approvers (back office): of a department, placed in no hall.
    ("approver_here", "对象所属部门的审批人员"),
    ("approver_elsewhere", "其他部门的审批人员"),
    ("dept_admin_here", "对象所属部门的部门管理员"),
    ("dept_admin_elsewhere", "其他部门的部门管理员"),
    ("platform_admin", "平台管理员"),
    # The other combinations `flask staff create` accepts (README), each with
    # both scopes "here", where a scope that grants nothing would show:
    ("clerk_with_department", "对象所在大厅的窗口人员，且属于对象所属部门（如公安窗口）"),
    ("approver_with_hall", "对象所属部门的审批人员，且驻对象所在大厅"),
    ("hall_admin_with_department", "对象所在大厅、对象所属部门的管理员（按规则是部门管理员）"),
)
KINDS = tuple(kind for kind, _ in PRINCIPALS)

# A combination answers as the kind it is (identity/access.py: a clerk's
# department grants nothing; an admin with a department is a department
# admin) unless a row says otherwise: where the hall adds something.
AS_KIND = {"clerk_with_department": "clerk_here", "approver_with_hall": "approver_here",
           "hall_admin_with_department": "dept_admin_here"}


def row(default, **overrides):
    """Expected answers: `default` for every kind, then the exceptions; the
    combinations of AS_KIND follow their kind unless named."""
    unknown = set(overrides) - set(KINDS)
    if unknown:
        raise ValueError(f"unknown principal kinds {unknown}")
    answers = {kind: overrides.get(kind, default) for kind in KINDS if kind not in AS_KIND}
    for kind, base in AS_KIND.items():
        answers[kind] = overrides.get(kind, answers[base])
    return {kind: answers[kind] for kind in KINDS}


PUBLIC = row("ok")
CITIZEN_OWN = row(403, owner="ok", other_citizen=404, anonymous=401)
# Ticket reads: its citizen, and the kiosks and staff of its hall; a
# department admin runs items, not a hall's queue; approvers (back office)
# have no business with tickets at all (403, by role).
# An admin with a department placed in the hall is staff of that hall
# (identity.access.acts_for_hall): it reads the hall's tickets and
# statistics, though it does not manage the hall (HALL_MANAGERS).
TICKET_READ = row(404, owner="ok", anonymous=401, kiosk_here="ok", clerk_here="ok", hall_admin_here="ok",
                  approver_here=403, approver_elsewhere=403, platform_admin="ok", hall_admin_with_department="ok")
# Window work on a ticket: clerks of its hall only.
CLERK_OF_HALL = row(403, anonymous=401, clerk_here="ok")
HALL_MANAGERS = row(403, anonymous=401, hall_admin_here="ok", platform_admin="ok")
# Statistics: staff placed in the hall (an approver only when it is).
HALL_STAFF_READ = row(403, anonymous=401, clerk_here="ok", approver_with_hall="ok", hall_admin_here="ok",
                      platform_admin="ok", hall_admin_with_department="ok")
# Counter sessions ("here": the session's hall; clerk_here is the session's
# clerk, another clerk of the hall gets 403 booking.not_your_session, tested
# in tests/api/booking/test_booking_counter.py). Its clerk works it; the
# hall's admin and the platform admin may read it and close it; staff of
# another hall (and department admins, who run items, not halls) are told it
# does not exist.
# clerk_with_department is another clerk of the hall (403), and an admin
# with a department placed in the hall is staff of the hall but not its
# admin (403, booking.not_your_session).
COUNTER_SESSION_CLERK = row(403, anonymous=401, clerk_here="ok", clerk_elsewhere=404, clerk_with_department=403)
COUNTER_SESSION_OVERSEE = row(403, anonymous=401, clerk_here="ok", clerk_elsewhere=404, hall_admin_here="ok",
                              hall_admin_elsewhere=404, dept_admin_here=404, dept_admin_elsewhere=404,
                              platform_admin="ok", clerk_with_department=403, hall_admin_with_department=403)
# A called ticket's recall and skip: the clerk whose counter session called it
# (another clerk of the hall, such as clerk_with_department: 403).
CALLED_TICKET_CLERK = row(403, anonymous=401, clerk_here="ok", clerk_with_department=403)
CATALOGUE_EDIT = row(403, anonymous=401, dept_admin_here="ok", platform_admin="ok")

# 网上申办 (submissions/services/access.py, docs/submissions.md)
# A clerk reads every department's application until it is accepted (the
# general desk, 跨镇通办), then only the accepting hall's; approvers and
# department admins their department's; the platform admin all; hall admins
# and kiosks none. Steps: clerks accept, refuse and deliver; approvers of the
# item's department ask for supplements during review, approve, deny and
# complete; admins take no steps. Out of scope: 403 (submissions.staff_forbidden).
APPLICATION_STAFF_READ = row(403, anonymous=401, clerk_here="ok", approver_here="ok", dept_admin_here="ok",
                             platform_admin="ok")
# Not yet accepted: no hall yet, so any hall's clerk (the general desk).
GENERAL_DESK = row(403, anonymous=401, clerk_here="ok", clerk_elsewhere="ok")
ACCEPTING_HALL_CLERK = row(403, anonymous=401, clerk_here="ok")
DEPARTMENT_APPROVER = row(403, anonymous=401, approver_here="ok")
CERTIFICATE_REVOKE = row(403, anonymous=401, approver_here="ok", dept_admin_here="ok", platform_admin="ok")

# 咨询投诉与好差评 (feedback/services/access.py, docs/feedback.md)
# A case: its citizen, the 12345 dispatcher (the platform admin) and the
# staff of the department holding it (with a department: approvers,
# department admins); other staff are told it does not exist (404); staff
# without a department (general-window clerks, hall admins) handle no cases.
CASE_STAFF_READ = row(404, owner=403, other_citizen=403, anonymous=401, kiosk_here=403, kiosk_elsewhere=403,
                      approver_here="ok", dept_admin_here="ok", platform_admin="ok")
CASE_PHOTO = dict(CASE_STAFF_READ, owner="ok", other_citizen=404)
DISPATCHER = row(403, anonymous=401, platform_admin="ok")
# Handling: staff of the holding department; the dispatcher dispatches but
# does not handle, staff without a department handle nothing (403).
HANDLING_DEPARTMENT = row(403, anonymous=401, approver_here="ok", approver_elsewhere=404, dept_admin_here="ok",
                          dept_admin_elsewhere=404)
# A rectification of a rated event's department: its staff and the platform
# admin; other staff 404 (general-window clerks and hall admins get only
# their hall's general-window ratings, i.e. those without a department).
RECTIFICATION_STAFF = row(404, owner=403, other_citizen=403, anonymous=401, kiosk_here=403, kiosk_elsewhere=403,
                          approver_here="ok", dept_admin_here="ok", platform_admin="ok")

# Accounts: the platform admin manages every staff member and the kiosks; a
# department admin the staff of its own department; nobody else.
STAFF_ACCOUNT = row(403, anonymous=401, dept_admin_here="ok", platform_admin="ok")
KIOSK_ACCOUNT = row(403, anonymous=401, platform_admin="ok")
# A staff notice (wechat.work): only its recipient (here: the clerk of the
# hall it was sent to); other staff are told it does not exist; citizens and
# kiosks have no notices (403).
NOTICE_RECIPIENT = row(404, owner=403, other_citizen=403, anonymous=401, kiosk_here=403, kiosk_elsewhere=403,
                       clerk_here="ok", clerk_with_department=404)

# 大厅屏幕 (screens/, docs/hall.md): the board and the event stream take a
# stream token, never a bearer token; staff of the hall (clerks, its admin)
# and the platform admin buy one with their bearer token (board devices with
# their secret), so here each principal presents the token it could get:
# none (401), or one of another hall (403, screens.wrong_hall).
# An admin with a department placed in the hall is staff of the hall
# (acts_for_hall): it watches the hall's screens as its clerks do.
STREAM_READ = row(401, clerk_here="ok", hall_admin_here="ok", platform_admin="ok", clerk_elsewhere=403,
                  hall_admin_elsewhere=403, hall_admin_with_department="ok")
STREAM_TOKEN = row(403, anonymous=401, clerk_here="ok", hall_admin_here="ok", platform_admin="ok",
                   hall_admin_with_department="ok")

MATRIX = {
    # 身份: staff and kiosk accounts ("here": the staff member's department)
    ("POST", "/api/v1/identity/staff/{staff_id}/deactivate"): STAFF_ACCOUNT,
    ("POST", "/api/v1/identity/staff/{staff_id}/reactivate"): STAFF_ACCOUNT,
    ("POST", "/api/v1/identity/staff/{staff_id}/password"): STAFF_ACCOUNT,
    ("PUT", "/api/v1/identity/staff/{staff_id}/wecom"): STAFF_ACCOUNT,
    ("DELETE", "/api/v1/identity/staff/{staff_id}/wecom"): STAFF_ACCOUNT,
    ("POST", "/api/v1/identity/kiosks/{device_id}/deactivate"): KIOSK_ACCOUNT,
    ("POST", "/api/v1/identity/kiosks/{device_id}/reactivate"): KIOSK_ACCOUNT,
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
    # 预约取号: setting up a city ("here": the hall being set up)
    ("GET", "/api/v1/booking/admin/halls/{hall_id}"): HALL_MANAGERS,
    ("PATCH", "/api/v1/booking/admin/halls/{hall_id}"): HALL_MANAGERS,
    ("GET", "/api/v1/booking/admin/halls/{hall_id}/closures"): HALL_MANAGERS,
    ("POST", "/api/v1/booking/admin/halls/{hall_id}/closures"): HALL_MANAGERS,
    ("POST", "/api/v1/booking/admin/halls/{hall_id}/queues"): HALL_MANAGERS,
    ("PATCH", "/api/v1/booking/admin/queues/{queue_id}"): HALL_MANAGERS,
    ("POST", "/api/v1/booking/admin/halls/{hall_id}/windows"): HALL_MANAGERS,
    ("PATCH", "/api/v1/booking/admin/windows/{window_id}"): HALL_MANAGERS,
    ("PUT", "/api/v1/booking/admin/halls/{hall_id}/items/{item_code}"): HALL_MANAGERS,
    ("DELETE", "/api/v1/booking/admin/halls/{hall_id}/items/{item_code}"): HALL_MANAGERS,
    ("GET", "/api/v1/booking/halls/{hall_id}/stats"): HALL_STAFF_READ,
    ("GET", "/api/v1/booking/appointments/{appointment_id}"): CITIZEN_OWN,
    ("POST", "/api/v1/booking/appointments/{appointment_id}/cancel"): CITIZEN_OWN,
    ("POST", "/api/v1/booking/appointments/{appointment_id}/reschedule"): CITIZEN_OWN,
    ("GET", "/api/v1/booking/tickets/{ticket_id}"): TICKET_READ,
    ("POST", "/api/v1/booking/windows/{window_id}/call-next"): CLERK_OF_HALL,
    ("POST", "/api/v1/booking/tickets/{ticket_id}/recall"): CALLED_TICKET_CLERK,
    ("POST", "/api/v1/booking/tickets/{ticket_id}/skip"): CALLED_TICKET_CLERK,
    ("POST", "/api/v1/booking/tickets/{ticket_id}/requeue"): row(
        403, owner="ok", other_citizen=404, anonymous=401, kiosk_here="ok", clerk_here="ok"),
    ("POST", "/api/v1/booking/tickets/{ticket_id}/transfer"): CLERK_OF_HALL,
    ("POST", "/api/v1/booking/tickets/{ticket_id}/complete"): CLERK_OF_HALL,
    ("POST", "/api/v1/booking/tickets/{ticket_id}/serve"): CLERK_OF_HALL,
    ("GET", "/api/v1/booking/counter-sessions/{session_id}"): COUNTER_SESSION_OVERSEE,
    ("GET", "/api/v1/booking/counter-sessions/{session_id}/waiting"): COUNTER_SESSION_OVERSEE,
    ("POST", "/api/v1/booking/counter-sessions/{session_id}/close"): COUNTER_SESSION_OVERSEE,
    ("POST", "/api/v1/booking/counter-sessions/{session_id}/pause"): COUNTER_SESSION_CLERK,
    ("POST", "/api/v1/booking/counter-sessions/{session_id}/resume"): COUNTER_SESSION_CLERK,
    ("POST", "/api/v1/booking/counter-sessions/{session_id}/call-next"): COUNTER_SESSION_CLERK,
    # 大厅屏幕 ("here": the hall)
    ("POST", "/api/v1/screens/halls/{hall_id}/stream-token"): STREAM_TOKEN,
    ("GET", "/api/v1/screens/halls/{hall_id}/events"): STREAM_READ,
    ("GET", "/api/v1/screens/halls/{hall_id}/board"): STREAM_READ,
    ("PUT", "/api/v1/screens/halls/{hall_id}/notice"): HALL_MANAGERS,
    # 网上申办: the citizen's own
    ("GET", "/api/v1/applications/{application_id}"): CITIZEN_OWN,
    ("PUT", "/api/v1/applications/{application_id}"): CITIZEN_OWN,
    ("POST", "/api/v1/applications/{application_id}/materials"): CITIZEN_OWN,
    ("DELETE", "/api/v1/applications/{application_id}/materials/{file_id}"): CITIZEN_OWN,
    ("GET", "/api/v1/applications/{application_id}/materials/{file_id}/content"): CITIZEN_OWN,
    ("POST", "/api/v1/applications/{application_id}/submit"): CITIZEN_OWN,
    ("POST", "/api/v1/applications/{application_id}/withdraw"): CITIZEN_OWN,
    ("GET", "/api/v1/theme-applications/{bundle_id}"): CITIZEN_OWN,
    ("POST", "/api/v1/theme-applications/{bundle_id}/materials"): CITIZEN_OWN,
    ("POST", "/api/v1/theme-applications/{bundle_id}/submit"): CITIZEN_OWN,
    ("GET", "/api/v1/certificates/{cert_id}"): CITIZEN_OWN,
    # 网上申办: staff (an accepted application unless the step needs another state)
    ("GET", "/api/v1/staff/applications/{application_id}"): APPLICATION_STAFF_READ,
    ("GET", "/api/v1/staff/applications/{application_id}/materials/{file_id}/content"): APPLICATION_STAFF_READ,
    ("POST", "/api/v1/staff/applications/{application_id}/accept"): GENERAL_DESK,
    ("POST", "/api/v1/staff/applications/{application_id}/refuse"): GENERAL_DESK,
    ("POST", "/api/v1/staff/applications/{application_id}/request-supplement"): DEPARTMENT_APPROVER,
    ("POST", "/api/v1/staff/applications/{application_id}/approve"): DEPARTMENT_APPROVER,
    ("POST", "/api/v1/staff/applications/{application_id}/deny"): DEPARTMENT_APPROVER,
    ("POST", "/api/v1/staff/applications/{application_id}/complete"): DEPARTMENT_APPROVER,
    ("POST", "/api/v1/staff/applications/{application_id}/deliver"): ACCEPTING_HALL_CLERK,
    ("POST", "/api/v1/staff/certificates/{cert_id}/revoke"): CERTIFICATE_REVOKE,
    # 咨询投诉: cases
    ("GET", "/api/v1/cases/{case_id}"): CITIZEN_OWN,
    ("GET", "/api/v1/cases/{case_id}/photos/{upload_id}"): CASE_PHOTO,
    ("POST", "/api/v1/cases/{case_id}/satisfaction"): CITIZEN_OWN,
    ("POST", "/api/v1/cases/{case_id}/reopen"): CITIZEN_OWN,
    ("GET", "/api/v1/staff/cases/{case_id}"): CASE_STAFF_READ,
    ("POST", "/api/v1/staff/cases/{case_id}/dispatch"): DISPATCHER,
    ("POST", "/api/v1/staff/cases/{case_id}/transfer"): HANDLING_DEPARTMENT,
    ("POST", "/api/v1/staff/cases/{case_id}/return"): HANDLING_DEPARTMENT,
    ("POST", "/api/v1/staff/cases/{case_id}/reply"): HANDLING_DEPARTMENT,
    ("POST", "/api/v1/staff/cases/{case_id}/extend"): HANDLING_DEPARTMENT,
    ("POST", "/api/v1/staff/cases/{case_id}/extend/decision"): DISPATCHER,
    # 好差评: ratings and rectifications
    ("POST", "/api/v1/ratings/{rating_id}/rectification/rating"): CITIZEN_OWN,
    ("GET", "/api/v1/staff/rectifications/{rect_id}"): RECTIFICATION_STAFF,
    ("POST", "/api/v1/staff/rectifications/{rect_id}/callback"): RECTIFICATION_STAFF,
    ("POST", "/api/v1/staff/rectifications/{rect_id}/resolve"): RECTIFICATION_STAFF,
    ("POST", "/api/v1/staff/rectifications/{rect_id}/appeal"): dict(RECTIFICATION_STAFF, platform_admin=403),
    ("POST", "/api/v1/staff/rectifications/{rect_id}/appeal/decision"): DISPATCHER,
    # 工作通知 (wechat.work)
    ("POST", "/api/v1/staff/notices/{notice_id}/read"): NOTICE_RECIPIENT,
}

# Answers of the code that differ from the documented answer above: open
# findings. Their rows are run as expected failures (strict: when the code is
# fixed the test says so, and the finding is removed from here).
FINDINGS: dict = {}
