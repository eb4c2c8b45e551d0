"""Every bad rating is called back and rectified, explained or appealed; the
citizen may rate the rectification; overdue ones are flagged."""

from __future__ import annotations

from datetime import datetime, timezone

from feedback.models import FeedbackRating
from feedback.rules import Rules
from mobile_api.audit import entries_for

from .conftest import sweep


def _bad_rating(client, people, served, department="gongan", hall_id=1):
    ticket = served.add("ticket", citizen_id=people.citizen.id, department_code=department, hall_id=hall_id)
    response = client.post("/api/v1/ratings", json={"event_kind": "ticket", "event_id": ticket.id,
                                                    "level": "very_unsatisfied", "reason": "attitude",
                                                    "comment": "态度很差"}, headers=people.h(people.citizen))
    assert response.status_code == 201, response.json
    return response.json


def _post(client, people, who, rect_id, action, body, expect=200):
    response = client.post(f"/api/v1/staff/rectifications/{rect_id}/{action}", json=body, headers=people.h(who))
    assert response.status_code == expect, response.json
    return response.json


def test_bad_rating_opens_rectification_with_working_day_limits(client, people, served, db):
    rating = _bad_rating(client, people, served)
    queue = client.get("/api/v1/staff/rectifications", headers=people.h(people.gongan)).json
    assert len(queue) == 1 and queue[0]["id"] == rating["rectification_id"]
    rect = queue[0]
    assert rect["state"] == "pending_callback"
    assert rect["callback_due_at"] == "2026-11-27T16:00:00+00:00"  # end of Friday, 1 working day
    assert rect["due_at"] == "2026-12-03T16:00:00+00:00"  # 5 working days
    assert "citizen_id" not in rect
    assert client.get("/api/v1/staff/rectifications", headers=people.h(people.renshe)).json == []
    assert client.get(f"/api/v1/staff/rectifications/{rect['id']}",
                      headers=people.h(people.renshe)).status_code == 404


def test_staff_see_the_rater_only_on_the_rectification_and_the_read_is_audited(client, people, served, db):
    rating = _bad_rating(client, people, served)
    listed = client.get("/api/v1/staff/ratings", headers=people.h(people.gongan)).json
    assert [r["id"] for r in listed] == [rating["id"]] and "citizen_id" not in listed[0]
    detail = client.get(f"/api/v1/staff/rectifications/{rating['rectification_id']}",
                        headers=people.h(people.gongan)).json
    assert detail["citizen_id"] == people.citizen.id
    reads = [e for e in entries_for(db, "feedback_rectification", rating["rectification_id"])
             if e.action == "feedback.rating_rater_read"]
    assert len(reads) == 1 and reads[0].principal_id == people.gongan.id


def test_callback_then_rectified_then_citizen_rates_it(client, people, served):
    rating = _bad_rating(client, people, served)
    rect_id = rating["rectification_id"]
    _post(client, people, people.gongan, rect_id, "resolve", {"outcome": "rectified", "note": "x"}, expect=409)
    called = _post(client, people, people.gongan, rect_id, "callback", {"note": "已电话致歉"})
    assert called["state"] == "called_back"
    _post(client, people, people.gongan, rect_id, "callback", {"note": "again"}, expect=409)
    done = _post(client, people, people.gongan2, rect_id, "resolve", {"outcome": "rectified", "note": "已培训"})
    assert done["state"] == "rectified" and done["resolved_at"] is not None
    rated = client.post(f"/api/v1/ratings/{rating['id']}/rectification/rating", json={"level": "satisfied"},
                        headers=people.h(people.citizen))
    assert rated.status_code == 200 and rated.json["citizen_level"] == "satisfied"
    again = client.post(f"/api/v1/ratings/{rating['id']}/rectification/rating", json={"level": "satisfied"},
                        headers=people.h(people.citizen))
    assert again.status_code == 409
    other = client.post(f"/api/v1/ratings/{rating['id']}/rectification/rating", json={"level": "satisfied"},
                        headers=people.h(people.other_citizen))
    assert other.status_code == 404


def test_explained_outcome(client, people, served):
    rect_id = _bad_rating(client, people, served)["rectification_id"]
    _post(client, people, people.gongan, rect_id, "callback", {"note": "已回访"})
    explained = _post(client, people, people.gongan, rect_id, "resolve", {"outcome": "explained", "note": "依法须本人到场"})
    assert explained["state"] == "explained"
    _post(client, people, people.gongan, rect_id, "resolve", {"outcome": "maybe", "note": "x"}, expect=422)
    _post(client, people, people.gongan, rect_id, "appeal", {"reason": "\x00"}, expect=422)


def test_appeal_upheld_removes_rating_from_statistics(client, people, served, db):
    rating = _bad_rating(client, people, served)
    rect_id = rating["rectification_id"]
    appealed = _post(client, people, people.gongan, rect_id, "appeal", {"reason": "该市民当日未到窗口办理"})
    assert appealed["state"] == "appealed"
    department_admin = people.make.staff("admin", "shuiwu", 1)  # a department admin, not the platform
    _post(client, people, department_admin, rect_id, "appeal/decision", {"upheld": True}, expect=403)
    _post(client, people, people.gongan, rect_id, "appeal/decision", {"upheld": True}, expect=403)
    upheld = _post(client, people, people.dispatcher, rect_id, "appeal/decision", {"upheld": True, "note": "查证属实"})
    assert upheld["state"] == "appeal_upheld" and upheld["appeal_upheld"] is True
    db.expire_all()
    assert db.get(FeedbackRating, rating["id"]).excluded_at is not None
    stats = client.get("/api/v1/ratings/stats?period=month&year=2026&month=11").json
    assert stats["overall"]["total"] == 0


def test_appeal_refused_sends_it_back_to_the_department(client, people, served, db):
    rating = _bad_rating(client, people, served)
    rect_id = rating["rectification_id"]
    _post(client, people, people.gongan, rect_id, "appeal", {"reason": "恶意差评"})
    _post(client, people, people.gongan, rect_id, "callback", {"note": "x"}, expect=409)
    refused = _post(client, people, people.dispatcher, rect_id, "appeal/decision", {"upheld": False})
    assert refused["state"] == "pending_callback" and refused["appeal_upheld"] is False
    _post(client, people, people.dispatcher, rect_id, "appeal/decision", {"upheld": True}, expect=409)
    _post(client, people, people.gongan, rect_id, "callback", {"note": "已回访"})
    _post(client, people, people.gongan, rect_id, "resolve", {"outcome": "rectified", "note": "已整改"})
    db.expire_all()
    assert db.get(FeedbackRating, rating["id"]).excluded_at is None
    assert client.get("/api/v1/ratings/stats?period=month&year=2026&month=11").json["overall"]["bad_count"] == 1


def test_overdue_rectifications_are_flagged_once(client, people, served, db, clock, app):
    rect_id = _bad_rating(client, people, served)["rectification_id"]
    rules = Rules.from_config(app.config)
    clock.set(datetime(2026, 11, 27, 16, 0, tzinfo=timezone.utc))
    counts = sweep(db, clock, rules)
    assert counts["rectification_callbacks_overdue"] == 1 and counts["rectifications_flagged_overdue"] == 0
    clock.set(datetime(2026, 12, 3, 16, 0, tzinfo=timezone.utc))
    counts = sweep(db, clock, rules)
    assert counts["rectification_callbacks_overdue"] == 0 and counts["rectifications_flagged_overdue"] == 1
    assert sweep(db, clock, rules)["rectifications_flagged_overdue"] == 0
    overdue = client.get("/api/v1/staff/rectifications?overdue=true", headers=people.h(people.gongan)).json
    assert [r["id"] for r in overdue] == [rect_id] and overdue[0]["callback_overdue"] is True


def test_rating_without_department_belongs_to_the_hall(client, people, served):
    ticket = served.add("ticket", citizen_id=people.citizen.id, department_code=None, hall_id=5)
    rating = client.post("/api/v1/ratings", json={"event_kind": "ticket", "event_id": ticket.id,
                                                  "level": "unsatisfied", "reason": "slow"},
                         headers=people.h(people.citizen)).json
    hall_clerk = people.make.staff("clerk", "gongan", 5)
    other_hall = people.make.staff("clerk", "renshe", 6)
    assert client.get(f"/api/v1/staff/rectifications/{rating['rectification_id']}",
                      headers=people.h(hall_clerk)).status_code == 200
    assert client.get(f"/api/v1/staff/rectifications/{rating['rectification_id']}",
                      headers=people.h(other_hall)).status_code == 404
