"""The city set-up rows of the access matrix (tests/access/matrix.py): every
principal kind against a real hall's set-up operations."""

from __future__ import annotations

import pytest

from tests.access.matrix import MATRIX
from tests.access.runner import check_row, row_params, rows_under
from tests.api.booking.booking_builders import build_hall

API = "/api/v1/booking/admin"


@pytest.fixture
def world(session, clock, make):
    here = build_hall(session, clock)
    there = build_hall(session, clock, code="T-OTHER", lat=23.05, lng=113.76)
    people = {
        "owner": make.citizen(), "other_citizen": make.citizen(),
        "kiosk_here": make.kiosk(hall_id=here.hall.id)[0], "kiosk_elsewhere": make.kiosk(hall_id=there.hall.id)[0],
        "clerk_here": make.staff("clerk", hall_id=here.hall.id),
        "clerk_elsewhere": make.staff("clerk", hall_id=there.hall.id),
        "hall_admin_here": make.staff("admin", None, here.hall.id),
        "hall_admin_elsewhere": make.staff("admin", None, there.hall.id),
        "approver_here": make.staff("approver", "gongan", None),
        "approver_elsewhere": make.staff("approver", "renshe", None),
        "dept_admin_here": make.staff("admin", "gongan", None),
        "dept_admin_elsewhere": make.staff("admin", "renshe", None),
        "platform_admin": make.staff("admin", None, None),
        "clerk_with_department": make.staff("clerk", "gongan", here.hall.id),
        "approver_with_hall": make.staff("approver", "gongan", here.hall.id),
        "hall_admin_with_department": make.staff("admin", "gongan", here.hall.id),
    }
    session.commit()
    headers = {kind: make.headers(principal) for kind, principal in people.items()}
    headers["anonymous"] = {}
    return {"here": here, "headers": headers}


def _request(world, template, method):
    here = world["here"]
    path = template.format(hall_id=here.hall.id, queue_id=here.general.id, window_id=here.general_windows[0].id,
                           item_code=here.police_item)
    body = None
    if template.endswith("/closures") and method == "POST":
        body = {"date": "2026-12-07", "reason": "设备检修"}
    elif template.endswith("/queues"):
        body = {"prefix": "Q", "name": "新队列"}
    elif template.endswith("/windows"):
        body = {"number": "99", "name": "99号窗口", "queue_ids": [here.general.id]}
    elif method == "PATCH":
        body = {"name": "改名"}
    elif method == "PUT":
        body = {"queue_id": here.general.id}
    return path, body


@pytest.mark.parametrize("method,template", row_params(rows_under(API)))
def test_every_principal_kind_gets_the_documented_answer(client, world, method, template):
    path, body = _request(world, template, method)
    mismatches = check_row(client, method, path, MATRIX[(method, template)],
                           lambda kind: world["headers"][kind], body=body)
    assert not mismatches, "\n".join(mismatches)
