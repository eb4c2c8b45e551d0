"""好差评: a rating for each kind of event, one per event, only by the person
served (or the window's rating device), in time, with valid content."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from feedback.models import FeedbackRating, FeedbackRectification

from .conftest import act, dispatched_case


def _rate(client, people, who, event_kind, event_id, level="very_satisfied", **extra):
    return client.post("/api/v1/ratings", json={"event_kind": event_kind, "event_id": event_id, "level": level,
                                                **extra}, headers=people.h(who))


def _count(db, model=FeedbackRating):
    db.expire_all()
    return db.scalar(select(func.count()).select_from(model))


def test_citizen_rates_a_completed_ticket(client, people, served, db):
    ticket = served.add("ticket", citizen_id=people.citizen.id, window_id=12, staff_id=people.gongan.id)
    response = _rate(client, people, people.citizen, "ticket", ticket.id, "satisfied")
    assert response.status_code == 201, response.json
    body = response.json
    assert body["level"] == "satisfied" and body["department_code"] == "gongan" and body["window_id"] == 12
    assert body["rectification_id"] is None and body["rated_by"] == "citizen"
    mine = client.get("/api/v1/ratings", headers=people.h(people.citizen)).json
    assert [r["id"] for r in mine] == [body["id"]]


def test_citizen_rates_a_completed_application(client, people, served):
    application = served.add("application", citizen_id=people.citizen.id, department_code="renshe",
                             hall_id=None, window_id=None, item_code="RS-100", finished_ago=timedelta(days=6))
    response = _rate(client, people, people.citizen, "application", application.id, "basically_satisfied")
    assert response.status_code == 201 and response.json["item_code"] == "RS-100"


def test_citizen_rates_a_closed_case_through_the_real_case_source(client, people):
    case = dispatched_case(client, people)
    act(client, people, people.gongan, case["id"], "reply", {"text": "已处理"})
    assert _rate(client, people, people.citizen, "case", case["id"]).json["code"] == "feedback.event_not_finished"
    client.post(f"/api/v1/cases/{case['id']}/satisfaction", json={"satisfaction": "basically_satisfied"},
                headers=people.h(people.citizen))
    other = _rate(client, people, people.other_citizen, "case", case["id"])
    assert other.status_code == 404
    rated = _rate(client, people, people.citizen, "case", case["id"], "unsatisfied", reason="not_solved",
                  comment="答复敷衍")
    assert rated.status_code == 201, rated.json
    assert rated.json["department_code"] == "gongan" and rated.json["rectification_state"] == "pending_callback"


def test_one_rating_per_event(client, people, served, db):
    ticket = served.add("ticket", citizen_id=people.citizen.id)
    assert _rate(client, people, people.citizen, "ticket", ticket.id).status_code == 201
    second = _rate(client, people, people.citizen, "ticket", ticket.id, "very_unsatisfied", reason="attitude")
    assert second.status_code == 409 and second.json["code"] == "feedback.already_rated"
    assert _count(db) == 1 and _count(db, FeedbackRectification) == 0


def test_someone_elses_or_unknown_event_is_not_found(client, people, served, db):
    ticket = served.add("ticket", citizen_id=people.citizen.id)
    assert _rate(client, people, people.other_citizen, "ticket", ticket.id).status_code == 404
    assert _rate(client, people, people.citizen, "ticket", 999_999).status_code == 404
    assert _count(db) == 0


def test_unfinished_or_too_late_is_refused(client, people, served, db):
    waiting = served.add("ticket", citizen_id=people.citizen.id, finished=False)
    old = served.add("application", citizen_id=people.citizen.id, finished_ago=timedelta(days=7, minutes=1))
    unfinished = _rate(client, people, people.citizen, "ticket", waiting.id)
    assert unfinished.status_code == 422 and unfinished.json["code"] == "feedback.event_not_finished"
    late = _rate(client, people, people.citizen, "application", old.id)
    assert late.status_code == 422 and late.json["code"] == "feedback.rating_period_over"
    assert _count(db) == 0


def test_bad_content_is_refused_and_changes_nothing(client, people, served, db):
    ticket = served.add("ticket", citizen_id=people.citizen.id)
    cases = [
        ({"level": "excellent"}, "level"),
        ({"level": 6}, "level"),
        ({"level": "unsatisfied"}, "reason"),
        ({"level": "very_unsatisfied", "reason": "made_up"}, "reason"),
        ({"level": "satisfied", "reason": "attitude"}, "reason"),
        ({"level": "satisfied", "comment": "长" * 2001}, "comment"),
        ({"level": "satisfied", "comment": "nul\x00"}, "comment"),
    ]
    for extra, field in cases:
        body = {"event_kind": "ticket", "event_id": ticket.id, **extra}
        response = client.post("/api/v1/ratings", json=body, headers=people.h(people.citizen))
        assert response.status_code == 422, (extra, response.json)
        assert response.mimetype == "application/problem+json" and field in response.json["errors"]
    wrong_kind = client.post("/api/v1/ratings", json={"event_kind": "parking", "event_id": 1, "level": "satisfied"},
                             headers=people.h(people.citizen))
    assert wrong_kind.status_code == 422
    assert _count(db) == 0


def test_staff_cannot_rate(client, people, served):
    ticket = served.add("ticket", citizen_id=people.citizen.id, staff_id=people.gongan.id)
    assert _rate(client, people, people.gongan, "ticket", ticket.id).status_code == 403


def test_kiosk_rates_the_ticket_just_completed_in_its_hall(client, people, served):
    kiosk, _secret = people.make.kiosk(hall_id=3)
    walk_in = served.add("ticket", citizen_id=None, hall_id=3, finished_ago=timedelta(minutes=1))
    response = _rate(client, people, kiosk, "ticket", walk_in.id, "very_unsatisfied", reason="slow")
    assert response.status_code == 201, response.json
    assert response.json["rated_by"] == "kiosk" and response.json["rectification_state"] == "pending_callback"

    elsewhere = served.add("ticket", citizen_id=people.citizen.id, hall_id=4)
    assert _rate(client, people, kiosk, "ticket", elsewhere.id).status_code == 404
    stale = served.add("ticket", citizen_id=people.citizen.id, hall_id=3, finished_ago=timedelta(minutes=30))
    too_late = _rate(client, people, kiosk, "ticket", stale.id)
    assert too_late.status_code == 422 and too_late.json["code"] == "feedback.kiosk_window_over"
    application = served.add("application", citizen_id=people.citizen.id, hall_id=3)
    assert _rate(client, people, kiosk, "application", application.id).status_code == 404
    # The citizen can still rate the stale ticket from the phone.
    assert _rate(client, people, people.citizen, "ticket", stale.id).status_code == 201


def test_options_list_levels_and_reasons(client):
    options = client.get("/api/v1/ratings/options").json
    assert options["levels"]["basically_satisfied"] == "基本满意" and "attitude" in options["bad_reasons"]
    assert options["period_days"] == 7
