"""咨询投诉与好差评's rows of the access matrix (tests/access/matrix.py), run for
every principal kind against real cases, photos, ratings and rectifications.

"Here" is the department holding the case or the department of the rated
event (公安, gongan) and hall 1 (the rated ticket's hall). Cases have no
hall: the hall kinds differ only by being staff without a department, who
handle no cases. Clerks here are general-window clerks (a hall, no
department), as in booking. The state each row runs in:

- a case: dispatched to gongan (with a photo of the citizen's); dispatch:
  submitted; extend/decision: an extension pending; satisfaction, reopen:
  replied;
- a rectification of a bad rating of a gongan ticket at hall 1: pending its
  call back; resolve: called back; appeal/decision: appealed; the citizen's
  rating of the rectification: rectified.

Refused principals share one object, which they must not change; every
granted principal of a write gets an object of its own, so that one granted
answer does not decide the next (a transferred case is out of reach).
"""

from __future__ import annotations

import io

import pytest

from tests.access.matrix import MATRIX
from tests.access.runner import check_row, headers_of, principals, row_params, rows_under

from .conftest import image_bytes

API = "/api/v1"
HERE, THERE = 1, 2
DEPARTMENT, OTHER_DEPARTMENT, THIRD_DEPARTMENT = "gongan", "renshe", "minzheng"
PREFIXES = ("/api/v1/cases/", "/api/v1/staff/cases/", "/api/v1/ratings/", "/api/v1/staff/rectifications/")


@pytest.fixture
def world(client, make, served):
    people = principals(make, here_hall=HERE, there_hall=THERE, department=DEPARTMENT,
                        other_department=OTHER_DEPARTMENT, owner=make.citizen("张三"))
    headers = headers_of(make, people)
    return Builder(client, served, people, headers)


class Builder:
    """Builds the object a row needs, through the API, in the row's state."""

    def __init__(self, client, served, people, headers):
        self.client, self.served, self.people, self.headers = client, served, people, headers

    def _post(self, kind, path, body, status=200):
        response = self.client.post(API + path, json=body, headers=self.headers[kind])
        assert response.status_code == status, response.json
        return response.json

    def case(self, state="dispatched"):
        """A complaint with a photo, in `state`: (case id, upload id)."""
        upload = self.client.post(f"{API}/feedback/uploads", data={"file": (io.BytesIO(image_bytes()), "p.png")},
                                  content_type="multipart/form-data", headers=self.headers["owner"])
        assert upload.status_code == 201, upload.json
        case = self._post("owner", "/cases", {"kind": "complaint", "category": "conduct.attitude",
                                              "text": f"窗口工作人员态度恶劣（{upload.json['id']}）",
                                              "photos": [upload.json["id"]]}, 201)
        if state != "submitted":
            self._post("platform_admin", f"/staff/cases/{case['id']}/dispatch", {"department_code": DEPARTMENT})
        if state == "extension_pending":
            self._post("approver_here", f"/staff/cases/{case['id']}/extend", {"days": 3, "reason": "需现场核查"})
        if state == "replied":
            self._post("approver_here", f"/staff/cases/{case['id']}/reply", {"text": "已核实，已对当事人批评教育"})
        return case["id"], upload.json["id"]

    def rectification(self, state="pending_callback"):
        """A bad rating of a gongan ticket at hall 1 and its rectification: (rating id, rectification id)."""
        ticket = self.served.add("ticket", citizen_id=self.people["owner"].id, department_code=DEPARTMENT,
                                 hall_id=HERE)
        rating = self._post("owner", "/ratings", {"event_kind": "ticket", "event_id": ticket.id,
                                                  "level": "very_unsatisfied", "reason": "attitude",
                                                  "comment": "态度很差"}, 201)
        rect = f"/staff/rectifications/{rating['rectification_id']}"
        if state in ("called_back", "rectified"):
            self._post("approver_here", f"{rect}/callback", {"note": "已电话回访"})
        if state == "rectified":
            self._post("approver_here", f"{rect}/resolve", {"outcome": "rectified", "note": "已整改"})
        if state == "appealed":
            self._post("approver_here", f"{rect}/appeal", {"reason": "同一人一天内恶意差评十次"})
        return rating["id"], rating["rectification_id"]

    def request(self, method, template):
        """(path, request kwargs) for one principal, on a new object in the row's state."""
        action = template.rsplit("/", 1)[-1]
        params = {}
        if "{case_id}" in template:
            state = {"dispatch": "submitted", "decision": "extension_pending", "satisfaction": "replied",
                     "reopen": "replied"}.get(action, "dispatched")
            params["case_id"], params["upload_id"] = self.case(state)
        else:
            state = {"resolve": "called_back", "decision": "appealed", "rating": "rectified"}.get(
                action, "pending_callback")
            params["rating_id"], params["rect_id"] = self.rectification(state)
        body = {
            "dispatch": {"department_code": DEPARTMENT},
            "transfer": {"department_code": THIRD_DEPARTMENT, "reason": "属民政部门职责"},
            "return": {"reason": "不属于本部门职责"}, "reply": {"text": "已核实并答复"},
            "extend": {"days": 3, "reason": "需现场核查"},
            "satisfaction": {"satisfaction": "satisfied"}, "reopen": {"reason": "答复没有解决问题"},
            "rating": {"level": "satisfied"}, "callback": {"note": "已电话回访"},
            "resolve": {"outcome": "explained", "note": "已解释说明"},
            "appeal": {"reason": "同一人一天内恶意差评十次"},
        }.get(action)
        if action == "decision":
            body = {"approve": True} if "{case_id}" in template else {"upheld": False}
        return template.format(**params), {"json": body}


ROWS = rows_under(*PREFIXES)




@pytest.mark.parametrize("method,template", row_params(ROWS))
def test_every_principal_kind_gets_the_documented_answer(client, world, method, template):
    shared = world.request(method, template)

    def prepare(kind, granted):
        return world.request(method, template) if granted and method != "GET" else shared

    mismatches = check_row(client, method, shared[0], MATRIX[(method, template)], lambda kind: world.headers[kind],
                           prepare=prepare)
    assert not mismatches, "\n".join(mismatches)


def test_general_window_rectifications_belong_to_the_staff_of_their_hall(client, world):
    """The other scope of a rectification (no matrix row of its own): a rating
    of a general window (no department) belongs to the staff of its hall."""
    ticket = world.served.add("ticket", citizen_id=world.people["owner"].id, department_code=None, hall_id=HERE)
    rating = world._post("owner", "/ratings", {"event_kind": "ticket", "event_id": ticket.id,
                                               "level": "unsatisfied", "reason": "attitude"}, 201)
    expected = {"clerk_here": 200, "hall_admin_here": 200, "platform_admin": 200, "clerk_elsewhere": 404,
                "hall_admin_elsewhere": 404, "approver_here": 404, "dept_admin_here": 404,
                "dept_admin_elsewhere": 404, "kiosk_here": 403, "owner": 403, "anonymous": 401}
    got = {kind: client.get(f"{API}/staff/rectifications/{rating['rectification_id']}",
                            headers=world.headers[kind]).status_code for kind in expected}
    assert got == expected


def test_a_clerk_with_a_department_handles_none_of_its_cases_or_ratings(client, world):
    """Issue 16, defect 5: a window clerk created with a department (`flask
    staff create li.clerk --role clerk --department gongan --hall 1`, the
    README's own example) sat at a 公安 window and so read, replied to and
    returned 公安's 12345 cases and its rectifications. The lists leaked the
    same way; they now give it nothing of the department's."""
    case_id, _ = world.case("dispatched")
    world.rectification("pending_callback")
    clerk = world.headers["clerk_with_department"]
    queue = client.get(f"{API}/staff/cases", headers=clerk)
    assert queue.status_code == 403, queue.json
    stats = client.get(f"{API}/staff/ratings/stats", headers=clerk, query_string={"year": 2026})
    assert stats.status_code == 403, stats.json
    for path in ("/staff/ratings", "/staff/rectifications"):
        listed = client.get(API + path, headers=clerk)
        assert listed.status_code == 200 and listed.json == [], (path, listed.json)
        # the department's approver sees them: the lists are not empty by accident
        mine = client.get(API + path, headers=world.headers["approver_here"])
        assert mine.status_code == 200 and mine.json, path
    assert client.get(f"{API}/staff/cases/{case_id}", headers=clerk).status_code == 404
    assert client.post(f"{API}/staff/cases/{case_id}/reply", json={"text": "已答复"}, headers=clerk).status_code == 403
    assert client.get(f"{API}/staff/cases/{case_id}", headers=world.headers["approver_here"]).json["state"] \
        == "dispatched"
