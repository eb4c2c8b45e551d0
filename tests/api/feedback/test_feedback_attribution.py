"""谁办理、谁负责: ratings go to who served; statistics rows carry names; the
assigned admin gets the rater's phone for the call back, audited, while open."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from feedback.models import FeedbackRating, FeedbackRectification
from mobile_api.audit import AuditEntry
from wechat.models import PhoneBinding

from .conftest import act, dispatched_case


def _rate(client, people, event, level="very_unsatisfied", reason="attitude"):
    body = {"event_kind": event.kind, "event_id": event.id, "level": level}
    if reason:
        body["reason"] = reason
    response = client.post("/api/v1/ratings", json=body, headers=people.h(people.citizen))
    assert response.status_code == 201, response.json
    return response.json


def test_a_general_window_clerks_bad_rating_goes_to_the_hall_that_employs_the_clerk(client, people, served, make):
    clerk = make.staff("clerk", None, 1)  # a 综合窗口 clerk employed by hall 1, no department
    hall_admin = make.staff("admin", None, 1)
    gongan_admin = make.staff("admin", "gongan", None)
    # the item is 公安's (the event's department), served at hall 1's window 3 by the hall's clerk
    ticket = served.add("ticket", citizen_id=people.citizen.id, department_code="gongan", hall_id=1, window_id=3,
                        staff_id=clerk.id)
    rating = _rate(client, people, ticket)
    assert (rating["department_code"], rating["hall_id"], rating["window_id"]) == (None, 1, 3)
    rect_id = rating["rectification_id"]
    assert client.get(f"/api/v1/staff/rectifications/{rect_id}", headers=people.h(hall_admin)).status_code == 200
    assert client.get(f"/api/v1/staff/rectifications/{rect_id}", headers=people.h(gongan_admin)).status_code == 404


def test_a_departments_own_clerk_is_its_departments(client, people, served, make, db):
    clerk = make.staff("clerk", "shuiwu", 1)  # 税务's clerk at its special window in hall 1
    ticket = served.add("ticket", citizen_id=people.citizen.id, department_code="shuiwu", hall_id=1, window_id=9,
                        staff_id=clerk.id)
    rating = _rate(client, people, ticket, level="satisfied", reason=None)
    assert (rating["department_code"], rating["hall_id"]) == ("shuiwu", 1)
    assert db.get(FeedbackRating, rating["id"]).staff_id == clerk.id


def test_an_online_rating_goes_to_the_department_that_decided_the_application(client, people, served, make):
    decider = make.staff("approver", "budongchan", None)
    application = served.add("application", citizen_id=people.citizen.id, department_code="zhujian", hall_id=None,
                             window_id=None, staff_id=decider.id)
    rating = _rate(client, people, application)
    assert rating["department_code"] == "budongchan"
    undecided = served.add("application", citizen_id=people.citizen.id, department_code="zhujian", hall_id=None,
                           window_id=None, staff_id=None)
    assert _rate(client, people, undecided, level="satisfied", reason=None)["department_code"] == "zhujian"


def test_a_bad_rating_tells_the_responsible_unit_through_a_staff_notice(client, people, served, make, db):
    from mobile_api.outbox import OutboxMessage

    clerk = make.staff("clerk", None, 2)
    ticket = served.add("ticket", citizen_id=people.citizen.id, hall_id=2, window_id=4, staff_id=clerk.id)
    rating = _rate(client, people, ticket)
    [notice] = db.scalars(select(OutboxMessage).where(OutboxMessage.topic == "staff.notify")).all()
    assert notice.payload["event"] == "rectification_opened" and notice.payload["hall_id"] == 2
    assert notice.payload["department_code"] is None
    assert notice.payload["data"]["rectification_id"] == rating["rectification_id"]


# -- names in statistics --------------------------------------------------------

@pytest.fixture
def place(db, clock):
    from booking.services import halls

    hall = halls.create_hall(db, clock, code="NAMES-1", name="命名测试中心", level="town", address="x", lat=23.0,
                             lng=113.7, opening_hours={"0": ["08:30", "17:30"]})
    queue = halls.add_queue(db, hall, "A", "综合窗口", general=True)
    windows = [halls.add_window(db, hall, f"0{n}", f"{n}号窗口", [queue]) for n in (1, 2)]
    db.commit()
    return hall, windows


@pytest.fixture
def rated(client, people, served, make, place):
    hall, windows = place
    clerk = make.staff("clerk", "gongan", hall.id)
    for window in windows:
        ticket = served.add("ticket", citizen_id=people.citizen.id, hall_id=hall.id, window_id=window.id,
                            staff_id=clerk.id, item_code=None)
        _rate(client, people, ticket, level="satisfied", reason=None)
    return clerk


def _stats(client, headers=None, **query):
    return client.get("/api/v1/ratings/stats", query_string=dict(period="month", year=2026, month=11, **query),
                      headers=headers or {})


def test_statistics_rows_carry_names(client, people, rated, place):
    staff_view = client.get("/api/v1/staff/ratings/stats", headers=people.h(people.gongan),
                            query_string={"period": "month", "year": 2026, "month": 11, "group_by": "staff"}).json
    assert [(r["key"], r["name"]) for r in staff_view["rows"]] == [(str(rated.id), rated.display_name)]
    departments = _stats(client, group_by="department").json
    assert [(r["key"], r["name"]) for r in departments["rows"]] == [("gongan", "公安局")]
    assert [r["name"] for r in _stats(client, group_by="hall").json["rows"]] == ["命名测试中心"]
    assert [r["name"] for r in _stats(client, group_by="window").json["rows"]] == [
        "命名测试中心 1号窗口", "命名测试中心 2号窗口"]


def test_public_statistics_name_no_staff_unless_the_city_opts_in(client, rated):
    refused = _stats(client, group_by="staff")
    assert refused.status_code == 422 and refused.json["code"] == "feedback.staff_names_not_public"
    rows = _stats(client, group_by="window").json["rows"]
    assert all(rated.display_name not in (r["name"] or "") for r in rows)


@pytest.mark.parametrize("config_overrides", [{"FEEDBACK_PUBLIC_STAFF_NAMES": True}], indirect=False)
def test_a_city_that_opts_in_publishes_staff_names(client, rated, tmp_path):
    rows = _stats(client, group_by="staff").json["rows"]
    assert [r["name"] for r in rows] == [rated.display_name]


# -- the call-back contact ------------------------------------------------------

def _bind_phone(app, db, citizen_id, number):
    cipher = app.extensions["cipher"]
    db.add(PhoneBinding(citizen_id=citizen_id, phone_enc=cipher.encrypt(number, context="wechat.phone"),
                        phone_index=cipher.blind_index(number, "phone"), country_code="86",
                        bound_at=__import__("datetime").datetime.now(__import__("datetime").timezone.utc)))
    db.commit()


def test_the_assigned_department_admin_gets_the_raters_phone_while_open_audited(client, people, served, make, db,
                                                                                  app):
    _bind_phone(app, db, people.citizen.id, "13800138000")
    admin = make.staff("admin", "gongan", None)
    ticket = served.add("ticket", citizen_id=people.citizen.id, department_code="gongan", staff_id=None)
    rect_id = _rate(client, people, ticket)["rectification_id"]
    url = f"/api/v1/staff/rectifications/{rect_id}"

    detail = client.get(url, headers=people.h(admin)).json
    assert detail["contact_phone"] == "13800138000" and detail["citizen_id"] == people.citizen.id
    reads = db.scalars(select(AuditEntry).where(AuditEntry.action == "feedback.rating_contact_read")).all()
    assert len(reads) == 1 and reads[0].principal_id == admin.id and reads[0].details["phone_masked"] == "138****8000"
    # a clerk of the department sees whom to call, not the number
    assert client.get(url, headers=people.h(people.gongan)).json["contact_phone"] is None

    client.post(f"{url}/callback", json={"note": "已致电"}, headers=people.h(admin))
    assert client.get(url, headers=people.h(admin)).json["contact_phone"] == "13800138000"
    client.post(f"{url}/resolve", json={"outcome": "rectified", "note": "已整改"}, headers=people.h(admin))
    assert db.get(FeedbackRectification, rect_id).state == "rectified"
    closed = client.get(url, headers=people.h(admin)).json
    assert closed["contact_phone"] is None
    db.expire_all()
    assert len(db.scalars(select(AuditEntry).where(AuditEntry.action == "feedback.rating_contact_read")).all()) == 2


def test_a_citizen_without_a_bound_phone_has_no_contact_phone(client, people, served, make):
    admin = make.staff("admin", "gongan", None)
    ticket = served.add("ticket", citizen_id=people.citizen.id, department_code="gongan", staff_id=None)
    rect_id = _rate(client, people, ticket)["rectification_id"]
    assert client.get(f"/api/v1/staff/rectifications/{rect_id}", headers=people.h(admin)).json[
        "contact_phone"] is None


def test_a_case_dispatch_tells_the_department(client, people, db):
    from mobile_api.outbox import OutboxMessage

    case = dispatched_case(client, people, department="renshe")
    [notice] = db.scalars(select(OutboxMessage).where(OutboxMessage.topic == "staff.notify")).all()
    assert notice.payload["event"] == "case_dispatched" and notice.payload["department_code"] == "renshe"
    act(client, people, people.renshe, case["id"], "transfer", {"department_code": "yibao", "reason": "医保事项"})
    db.expire_all()
    events = [n.payload["department_code"] for n in db.scalars(
        select(OutboxMessage).where(OutboxMessage.topic == "staff.notify").order_by(OutboxMessage.id))]
    assert events == ["renshe", "yibao"]
