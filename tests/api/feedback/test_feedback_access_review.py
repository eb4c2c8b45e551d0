"""Access review: another citizen, another department, another hall, no token: 403/404 and nothing changed;
reporters and raters stay hidden from staff."""

from __future__ import annotations

import io

from sqlalchemy import select

from feedback.models import FeedbackCase
from mobile_api.audit import AuditEntry

from .conftest import act, dispatched_case, image_bytes, submit

API = "/api/v1"


def _snapshot(client, people, case_id, who=None):
    answer = client.get(f"{API}/cases/{case_id}", headers=people.h(who or people.citizen))
    assert answer.status_code == 200, answer.json
    return answer.json


def test_no_token_is_401(client):
    for method, path in (("get", "/cases"), ("post", "/cases"), ("get", "/cases/1"), ("post", "/cases/1/reopen"),
                         ("get", "/staff/cases"), ("get", "/staff/cases/1"), ("post", "/staff/cases/1/reply"),
                         ("post", "/ratings"), ("get", "/ratings"), ("get", "/staff/ratings"),
                         ("get", "/staff/rectifications"), ("get", "/staff/rectifications/1"),
                         ("post", "/feedback/uploads"), ("get", "/cases/1/photos/1")):
        response = getattr(client, method)(API + path, json={} if method == "post" else None)
        assert response.status_code == 401, (method, path, response.status_code)


def test_another_citizen_gets_404_and_changes_nothing(client, people):
    upload = client.post(f"{API}/feedback/uploads", data={"file": (io.BytesIO(image_bytes()), "p.png")},
                         content_type="multipart/form-data", headers=people.h(people.citizen)).json
    case = dispatched_case(client, people, photos=[upload["id"]])
    act(client, people, people.gongan, case["id"], "reply", {"text": "已核实并答复"})
    before = _snapshot(client, people, case["id"])
    other = people.h(people.other_citizen)
    assert client.get(f"{API}/cases/{case['id']}", headers=other).status_code == 404
    assert client.get(f"{API}/cases/{case['id']}/photos/{upload['id']}", headers=other).status_code == 404
    assert client.post(f"{API}/cases/{case['id']}/satisfaction", headers=other,
                       json={"satisfaction": "unsatisfied"}).status_code == 404
    assert client.post(f"{API}/cases/{case['id']}/reopen", headers=other,
                       json={"reason": "不满意答复"}).status_code == 404
    assert client.get(f"{API}/cases", headers=other).json == []
    # a photo uploaded by someone else cannot be attached to one's own case
    stolen = client.post(f"{API}/cases", headers=other,
                         json={"kind": "complaint", "category": "conduct.attitude", "text": "借用别人的照片",
                               "photos": [upload["id"]]})
    assert stolen.status_code in (404, 422)
    assert _snapshot(client, people, case["id"]) == before


def test_staff_of_another_department_cannot_read_or_act(client, people, db):
    case = dispatched_case(client, people)
    before = _snapshot(client, people, case["id"])
    other = people.renshe
    assert client.get(f"{API}/staff/cases/{case['id']}", headers=people.h(other)).status_code == 404
    assert case["id"] not in [c["id"] for c in client.get(f"{API}/staff/cases", headers=people.h(other)).json]
    for action, body in (("transfer", {"department_code": "renshe", "reason": "转给自己"}),
                         ("return", {"reason": "不是我们的"}), ("reply", {"text": "越权答复"}),
                         ("extend", {"days": 3, "reason": "越权延期"})):
        response = client.post(f"{API}/staff/cases/{case['id']}/{action}", json=body, headers=people.h(other))
        assert response.status_code in (403, 404), (action, response.json)
    # only the 12345 dispatcher dispatches or decides extensions
    for who in (people.gongan, other):
        assert client.post(f"{API}/staff/cases/{case['id']}/dispatch", json={"department_code": "renshe"},
                           headers=people.h(who)).status_code == 403
        assert client.post(f"{API}/staff/cases/{case['id']}/extend/decision", json={"approve": True},
                           headers=people.h(who)).status_code in (403, 404)
    dept_admin = people.make.staff("admin", "renshe", None)
    assert client.post(f"{API}/staff/cases/{case['id']}/dispatch", json={"department_code": "renshe"},
                       headers=people.h(dept_admin)).status_code == 403
    assert client.get(f"{API}/staff/cases/{case['id']}", headers=people.h(dept_admin)).status_code == 404
    # citizen endpoints are the citizen's only
    assert client.get(f"{API}/cases/{case['id']}", headers=people.h(people.gongan)).status_code == 403
    assert _snapshot(client, people, case["id"]) == before
    assert db.get(FeedbackCase, case["id"]).department_code == "gongan"


def test_report_hides_the_reporter_everywhere_the_department_looks(client, people):
    report = dispatched_case(client, people, kind="report", category="conduct.fees", text="某窗口违规收费")
    act(client, people, people.gongan, report["id"], "reply", {"text": "已查处"})
    for who in (people.gongan, people.gongan2):
        seen = client.get(f"{API}/staff/cases/{report['id']}", headers=people.h(who)).json
        assert seen["citizen_id"] is None and seen["reporter_hidden"] is True
        assert all(e["actor_id"] is None for e in seen["timeline"] if e["actor_kind"] == "citizen")
        body = str(seen)
        assert "张三" not in body
    queue = client.get(f"{API}/staff/cases", query_string={"state": "replied"}, headers=people.h(people.gongan)).json
    assert all(c["citizen_id"] is None for c in queue if c["id"] == report["id"])


def test_staff_never_see_who_rated_and_cannot_rate(client, people, served):
    ticket = served.add("ticket", citizen_id=people.citizen.id)
    good = client.post(f"{API}/ratings", json={"event_kind": "ticket", "event_id": ticket.id, "level": "satisfied"},
                       headers=people.h(people.citizen))
    assert good.status_code == 201
    listed = client.get(f"{API}/staff/ratings", headers=people.h(people.gongan))
    assert listed.status_code == 200 and listed.json
    for row in listed.json:
        assert "citizen_id" not in row and str(people.citizen.id) != str(row.get("rated_by"))
    other_ticket = served.add("ticket", citizen_id=people.other_citizen.id)
    for who in (people.gongan, people.dispatcher):
        response = client.post(f"{API}/ratings", json={"event_kind": "ticket", "event_id": other_ticket.id,
                                                        "level": "very_satisfied"}, headers=people.h(who))
        assert response.status_code == 403
    # another citizen cannot rate someone else's service
    response = client.post(f"{API}/ratings", json={"event_kind": "ticket", "event_id": other_ticket.id,
                                                    "level": "very_unsatisfied", "reason": "attitude"},
                           headers=people.h(people.citizen))
    assert response.status_code == 404
    # a kiosk of another hall cannot rate this hall's ticket
    device, _ = people.make.kiosk(hall_id=99)
    response = client.post(f"{API}/ratings", json={"event_kind": "ticket", "event_id": other_ticket.id,
                                                    "level": "very_satisfied"}, headers=people.h(device))
    assert response.status_code == 404
    mine = client.get(f"{API}/ratings", headers=people.h(people.other_citizen))
    assert mine.status_code == 200 and mine.json == []


def _bad_rating(client, people, served, department="gongan", hall_id=1):
    ticket = served.add("ticket", citizen_id=people.citizen.id, department_code=department, hall_id=hall_id)
    response = client.post(f"{API}/ratings", json={"event_kind": "ticket", "event_id": ticket.id,
                                                   "level": "very_unsatisfied", "reason": "attitude",
                                                   "comment": "态度很差"}, headers=people.h(people.citizen))
    assert response.status_code == 201, response.json
    return response.json


def test_rectification_of_another_department_is_out_of_reach(client, people, served, db):
    rating = _bad_rating(client, people, served)
    rect_id = rating["rectification_id"]
    other = people.renshe
    assert client.get(f"{API}/staff/rectifications/{rect_id}", headers=people.h(other)).status_code == 404
    assert rect_id not in [r["id"] for r in client.get(f"{API}/staff/rectifications", headers=people.h(other)).json]
    for action, body in (("callback", {"note": "越权回访"}), ("resolve", {"outcome": "explained", "note": "越权"}),
                         ("appeal", {"reason": "越权申诉"})):
        response = client.post(f"{API}/staff/rectifications/{rect_id}/{action}", json=body, headers=people.h(other))
        assert response.status_code == 404, (action, response.json)
    dept_admin = people.make.staff("admin", "renshe", None)
    decision = client.post(f"{API}/staff/rectifications/{rect_id}/appeal/decision", json={"upheld": True},
                           headers=people.h(dept_admin))
    assert decision.status_code == 403
    rater_reads = db.scalars(select(AuditEntry).where(AuditEntry.action == "feedback.rating_rater_read")).all()
    assert rater_reads == []  # a refused read reveals nobody and is not a read
    own = client.get(f"{API}/staff/rectifications/{rect_id}", headers=people.h(people.gongan)).json
    assert own["state"] == "pending_callback" and own["called_back_at"] is None
    # the other citizen cannot rate the rectification of someone else's rating
    response = client.post(f"{API}/ratings/{rating['id']}/rectification/rating", json={"level": "satisfied"},
                           headers=people.h(people.other_citizen))
    assert response.status_code == 404


def test_general_window_staff_see_only_their_own_halls_ratings_and_rectifications(client, people, served):
    here = _bad_rating(client, people, served, department=None, hall_id=5)
    there = _bad_rating(client, people, served, department=None, hall_id=6)
    general_clerk = people.make.staff("clerk", None, 5)
    h = people.h(general_clerk)
    rects = [r["id"] for r in client.get(f"{API}/staff/rectifications", headers=h).json]
    assert here["rectification_id"] in rects and there["rectification_id"] not in rects
    assert client.get(f"{API}/staff/rectifications/{there['rectification_id']}", headers=h).status_code == 404
    ratings = client.get(f"{API}/staff/ratings", headers=h)
    assert ratings.status_code == 200
    assert [r["id"] for r in ratings.json] == [here["id"]]
    # department staff placed in no hall (gongan's approver) see neither
    gongan = [r["id"] for r in client.get(f"{API}/staff/ratings", headers=people.h(people.gongan)).json]
    assert here["id"] not in gongan and there["id"] not in gongan


def test_department_staff_of_the_hall_see_its_general_window_ratings_they_must_rectify(client, people, served):
    here = _bad_rating(client, people, served, department=None, hall_id=5)
    clerk_here = people.make.staff("clerk", "gongan", 5)
    h = people.h(clerk_here)
    # the rating list and the rectification queue have one scope: who must rectify also sees the rating
    assert [r["id"] for r in client.get(f"{API}/staff/ratings", headers=h).json] == [here["id"]]
    assert [r["id"] for r in client.get(f"{API}/staff/rectifications", headers=h).json] == [here["rectification_id"]]


def test_a_hall_admin_is_not_the_dispatcher(client, people, served):
    """An admin with a hall and no department acts for that hall only: no
    cases, no dispatch, no appeals; its hall's general-window ratings."""
    hall_admin = people.make.staff("admin", None, 5)
    h = people.h(hall_admin)
    case = submit(client, people)
    assert client.get(f"{API}/staff/cases", headers=h).status_code == 403
    assert client.get(f"{API}/staff/cases/{case['id']}", headers=h).status_code == 404
    refused = client.post(f"{API}/staff/cases/{case['id']}/dispatch", json={"department_code": "gongan"}, headers=h)
    assert refused.status_code == 403 and refused.json["code"] == "feedback.not_dispatcher"
    assert client.get(f"{API}/staff/ratings/stats?period=year&year=2026", headers=h).status_code == 403
    here = _bad_rating(client, people, served, department=None, hall_id=5)
    there = _bad_rating(client, people, served, department=None, hall_id=6)
    gongan = _bad_rating(client, people, served, department="gongan", hall_id=5)
    assert [r["id"] for r in client.get(f"{API}/staff/ratings", headers=h).json] == [here["id"]]
    rect = here["rectification_id"]
    assert client.get(f"{API}/staff/rectifications/{rect}", headers=h).status_code == 200
    assert client.get(f"{API}/staff/rectifications/{there['rectification_id']}", headers=h).status_code == 404
    assert client.get(f"{API}/staff/rectifications/{gongan['rectification_id']}", headers=h).status_code == 404
    assert client.post(f"{API}/staff/rectifications/{rect}/appeal", json={"reason": "恶意差评"},
                       headers=h).status_code == 200
    decided = client.post(f"{API}/staff/rectifications/{rect}/appeal/decision", json={"upheld": True}, headers=h)
    assert decided.status_code == 403 and decided.json["code"] == "feedback.not_platform_admin"
    # the platform admin (the dispatcher) decides
    assert client.post(f"{API}/staff/rectifications/{rect}/appeal/decision", json={"upheld": True},
                       headers=people.h(people.dispatcher)).status_code == 200


def test_staff_reads_of_a_case_and_its_photos_are_audited_and_refused_reads_are_not(client, people, db):
    upload = client.post(f"{API}/feedback/uploads", data={"file": (io.BytesIO(image_bytes()), "p.png")},
                         content_type="multipart/form-data", headers=people.h(people.citizen)).json
    report = dispatched_case(client, people, kind="report", category="conduct.fees", text="某窗口违规收费",
                             photos=[upload["id"]])
    assert client.get(f"{API}/staff/cases/{report['id']}", headers=people.h(people.renshe)).status_code == 404
    assert client.get(f"{API}/cases/{report['id']}/photos/{upload['id']}",
                      headers=people.h(people.renshe)).status_code == 404
    assert client.get(f"{API}/cases/{report['id']}", headers=people.h(people.citizen)).status_code == 200

    def reads():
        db.expire_all()
        return [(e.action, e.principal_id, e.details) for e in db.scalars(
            select(AuditEntry).where(AuditEntry.action.in_(("feedback.case_read", "feedback.case_photo_read")))
            .order_by(AuditEntry.id))]

    assert reads() == []
    assert client.get(f"{API}/staff/cases/{report['id']}", headers=people.h(people.gongan)).status_code == 200
    photo = client.get(f"{API}/cases/{report['id']}/photos/{upload['id']}", headers=people.h(people.gongan))
    assert photo.status_code == 200
    assert client.get(f"{API}/staff/cases/{report['id']}", headers=people.h(people.dispatcher)).status_code == 200
    assert reads() == [
        ("feedback.case_read", people.gongan.id, {"reporter_visible": False}),
        ("feedback.case_photo_read", people.gongan.id, {"upload_id": upload["id"], "reporter_visible": False}),
        ("feedback.case_read", people.dispatcher.id, {"reporter_visible": True}),
    ]


def test_the_staff_ratings_list_does_not_lead_back_to_the_rater(client, people):
    """A good rating of a closed case: the department that handled the case knows who filed it, so the
    rating must not name the case (event id), or the list tells them who rated."""
    case = dispatched_case(client, people)
    act(client, people, people.gongan, case["id"], "reply", {"text": "已处理"})
    client.post(f"{API}/cases/{case['id']}/satisfaction", json={"satisfaction": "satisfied"},
                headers=people.h(people.citizen))
    rated = client.post(f"{API}/ratings", json={"event_kind": "case", "event_id": case["id"], "level": "satisfied"},
                        headers=people.h(people.citizen))
    assert rated.status_code == 201, rated.json
    listed = client.get(f"{API}/staff/ratings", headers=people.h(people.gongan))
    assert listed.status_code == 200
    row = next(r for r in listed.json if r["id"] == rated.json["id"])
    assert row.get("event_id") is None and "citizen_id" not in row
    # the citizen's own list still names the event
    mine = client.get(f"{API}/ratings", headers=people.h(people.citizen)).json
    assert [r["event_id"] for r in mine] == [case["id"]]


def test_a_report_about_the_reporters_own_application_does_not_name_it_to_the_department(client, people, served):
    application = served.add("application", citizen_id=people.citizen.id, department_code="gongan")
    report = dispatched_case(client, people, kind="report", category="conduct.fees", text="办理时被索要好处费",
                             about_type="application", about_ref=str(application.id))
    for path in (f"{API}/staff/cases/{report['id']}", f"{API}/staff/cases"):
        seen = client.get(path, headers=people.h(people.gongan)).json
        row = seen if isinstance(seen, dict) else next(c for c in seen if c["id"] == report["id"])
        assert row["reporter_hidden"] is True
        assert row["about_ref"] is None  # the application id leads straight to its applicant
    by_dispatcher = client.get(f"{API}/staff/cases/{report['id']}", headers=people.h(people.dispatcher)).json
    assert by_dispatcher["about_ref"] == str(application.id)
    mine = client.get(f"{API}/cases/{report['id']}", headers=people.h(people.citizen)).json
    assert mine["about_ref"] == str(application.id)
