"""预约取号's rows of the access matrix (tests/access/matrix.py), run for every
principal kind against real halls, appointments and tickets."""

from __future__ import annotations

from datetime import date

import pytest

from tests.access.matrix import MATRIX
from tests.access.runner import check_row, row_params, rows_under
from tests.api.booking.booking_builders import build_hall

API = "/api/v1/booking"
FRIDAY = date(2026, 11, 27)


@pytest.fixture
def world(client, session, clock, make):
    here = build_hall(session, clock)
    there = build_hall(session, clock, code="T-OTHER", lat=23.05, lng=113.76)
    owner = make.citizen()
    item_department = _department_of(session, here.general_item)
    other_department = "minzheng" if item_department != "minzheng" else "minzheng_other"
    people = {
        "owner": owner,
        "other_citizen": make.citizen(),
        "kiosk_here": make.kiosk(hall_id=here.hall.id)[0],
        "kiosk_elsewhere": make.kiosk(hall_id=there.hall.id)[0],
        "clerk_here": make.staff("clerk", hall_id=here.hall.id),
        "clerk_elsewhere": make.staff("clerk", hall_id=there.hall.id),
        "hall_admin_here": make.staff("admin", hall_id=here.hall.id),
        "hall_admin_elsewhere": make.staff("admin", hall_id=there.hall.id),
        "dept_admin_here": make.staff("admin", department_code=item_department),
        "dept_admin_elsewhere": make.staff("admin", department_code=other_department),
        "platform_admin": make.staff("admin"),
        # Approvers as matrix.PRINCIPALS says: of a department, in no hall;
        # the one placed in the hall is approver_with_hall.
        "approver_here": make.staff("approver", department_code=item_department),
        "approver_elsewhere": make.staff("approver", department_code=other_department),
        "clerk_with_department": make.staff("clerk", department_code=item_department, hall_id=here.hall.id),
        "approver_with_hall": make.staff("approver", department_code=item_department, hall_id=here.hall.id),
        "hall_admin_with_department": make.staff("admin", department_code=item_department,
                                                 hall_id=here.hall.id),
    }
    session.commit()
    headers = {kind: make.headers(principal) for kind, principal in people.items()}
    headers["anonymous"] = {}
    booked = client.post(f"{API}/appointments", headers=headers["owner"],
                         json={"hall_id": here.hall.id, "item": here.general_item, "date": FRIDAY.isoformat(),
                               "time": "10:00"})
    assert booked.status_code == 201, booked.json
    ticket = client.post(f"{API}/tickets", headers=headers["kiosk_here"],
                         json={"item": here.general_item, "citizen_id": owner.id})
    assert ticket.status_code == 201, ticket.json
    opened = client.post(f"{API}/counter-sessions", headers=headers["clerk_here"],
                         json={"window_id": here.general_windows[0].id})
    assert opened.status_code == 201, opened.json
    return {"here": here, "headers": headers, "appointment_id": booked.json["id"], "ticket_id": ticket.json["id"],
            "session_id": opened.json["id"]}


def _department_of(session, item_code):
    from guides import services as guide_services

    return guide_services.get_published_item(session, item_code).department_code


def _call(client, world):
    """Put the ticket at a window of its hall, so window actions have something to act on."""
    window_id = world["here"].general_windows[0].id
    answer = client.post(f"{API}/windows/{window_id}/call-next", headers=world["headers"]["clerk_here"])
    assert answer.status_code == 200, answer.json


def _request(world, path):
    here = world["here"]
    params = {"hall_id": here.hall.id, "appointment_id": world["appointment_id"], "ticket_id": world["ticket_id"],
              "window_id": here.general_windows[0].id, "session_id": world["session_id"]}
    body, query = None, None
    if path.endswith("/calendar-overrides"):
        body = {"date": "2026-12-07", "open": False, "reason": "设备检修"}
    elif path.endswith("/reschedule"):
        body = {"date": FRIDAY.isoformat(), "time": "11:00"}
    elif path.endswith("/transfer"):
        body = {"queue_id": here.police.id}
    elif path.endswith("/slots"):
        query = {"item": here.general_item, "date": FRIDAY.isoformat()}
    elif path.endswith("/stats"):
        query = {"date": FRIDAY.isoformat()}
    return path.format(**params), body, query


# The city set-up rows (/admin/) have their runner in test_booking_admin_access_matrix.py.
@pytest.mark.parametrize("method,template", row_params([row for row in rows_under(API)
                                                        if not row[1].startswith(API + "/admin/")]))
def test_every_principal_kind_gets_the_documented_answer(client, world, method, template):
    if "/tickets/{ticket_id}/" in template and not template.endswith("/requeue"):
        _call(client, world)
    path, body, query = _request(world, template)
    mismatches = check_row(client, method, path, MATRIX[(method, template)],
                           lambda kind: world["headers"][kind], body=body, query=query)
    assert not mismatches, "\n".join(mismatches)


def test_the_department_admin_leak_is_closed(client, world):
    """The reported leak: a department admin with no hall read another hall's ticket."""
    answer = client.get(f"{API}/tickets/{world['ticket_id']}", headers=world["headers"]["dept_admin_here"])
    assert answer.status_code == 404
    assert answer.json["code"] == "booking.ticket_not_found"
