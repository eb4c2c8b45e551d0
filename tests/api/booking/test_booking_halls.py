"""Halls, slots, calendar overrides and the sample data."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from booking.models import CalendarOverride, Hall, HallItem, HallQueue, Window
from booking.seed import seed_halls

from tests.api.booking.booking_builders import build_hall, catalogue_item_codes

API = "/api/v1/booking"


@pytest.fixture
def setup(session, clock):
    return build_hall(session, clock)


def test_halls_filter_by_item_and_sort_by_distance(client, session, clock, setup):
    far = build_hall(session, clock, code="T-FAR", lat=22.80, lng=114.05)
    response = client.get(f"{API}/halls", query_string={"lat": 22.81, "lng": 114.06})
    assert response.status_code == 200
    assert [h["code"] for h in response.json] == ["T-FAR", "T-HALL"]
    assert response.json[0]["distance_m"] < response.json[1]["distance_m"]
    by_item = client.get(f"{API}/halls", query_string={"item": far.general_item})
    assert {h["code"] for h in by_item.json} == {"T-FAR", "T-HALL"}
    none = client.get(f"{API}/halls", query_string={"item": "999999999999"})
    assert none.json == []


@pytest.mark.parametrize("query", [{"lat": 23.0}, {"item": "abc"}, {"level": "province"}, {"colour": "red"}])
def test_bad_hall_queries(client, setup, query):
    response = client.get(f"{API}/halls", query_string=query)
    assert response.status_code == 422
    assert response.headers["Content-Type"].startswith("application/problem+json")


def test_hall_detail(client, setup):
    response = client.get(f"{API}/halls/{setup.hall.id}")
    assert response.status_code == 200
    body = response.json
    assert [q["prefix"] for q in body["queues"]] == ["A", "B"]
    assert len(body["windows"]) == 3 and body["windows"][0]["queues"] == ["A"]
    assert {i["item_code"]: i["queue"] for i in body["items"]} == {setup.general_item: "A", setup.police_item: "B"}
    assert client.get(f"{API}/halls/99999").json["code"] == "booking.hall_not_found"


def test_slots_of_a_day(client, setup):
    response = client.get(f"{API}/halls/{setup.hall.id}/slots",
                          query_string={"item": setup.police_item, "date": "2026-11-27"})
    assert response.status_code == 200, response.json
    body = response.json
    times = [s["time"] for s in body["slots"]]
    assert times[0] == "08:30" and times[-1] == "17:00"
    assert "12:00" not in times and "13:30" not in times and "14:00" in times  # lunch 12:00–14:00
    assert body["calendar_confirmed"] is True and body["queue"] == "B"
    assert all(s["capacity"] == 2 for s in body["slots"])  # one 公安 window × 2


def test_slots_today_respect_the_minimum_notice(client, setup):
    body = client.get(f"{API}/halls/{setup.hall.id}/slots",
                      query_string={"item": setup.general_item, "date": "2026-11-26"}).json
    bookable = {s["time"]: s["bookable"] for s in body["slots"]}
    assert bookable["10:30"] is False and bookable["11:00"] is True  # now 09:00, notice 2 h


def test_admin_closes_a_day(client, make, session, setup):
    admin = make.headers(make.staff(role="admin", hall_id=setup.hall.id))
    response = client.post(f"{API}/halls/{setup.hall.id}/calendar-overrides", headers=admin,
                           json={"date": "2026-11-27", "open": False, "reason": "停电检修"})
    assert response.status_code == 201, response.json
    slots = client.get(f"{API}/halls/{setup.hall.id}/slots",
                       query_string={"item": setup.general_item, "date": "2026-11-27"})
    assert slots.status_code == 422 and slots.json["code"] == "booking.hall_closed"
    extra = client.post(f"{API}/halls/{setup.hall.id}/calendar-overrides", headers=admin,
                        json={"date": "2026-11-28", "open": True, "reason": "周六加班"})
    assert extra.status_code == 201
    saturday = client.get(f"{API}/halls/{setup.hall.id}/slots",
                          query_string={"item": setup.general_item, "date": "2026-11-28"})
    assert saturday.status_code == 200 and saturday.json["slots"][0]["time"] == "08:30"


def test_only_admins_of_the_hall_change_the_calendar(client, make, session, setup):
    clerk = make.headers(make.staff(hall_id=setup.hall.id))
    body = {"date": "2026-11-27", "open": False, "reason": "x"}
    assert client.post(f"{API}/halls/{setup.hall.id}/calendar-overrides", headers=clerk, json=body).status_code == 403
    other_admin = make.headers(make.staff(role="admin", hall_id=setup.hall.id + 1000))
    assert client.post(f"{API}/halls/{setup.hall.id}/calendar-overrides", headers=other_admin,
                       json=body).status_code == 403
    admin = make.headers(make.staff(role="admin", hall_id=setup.hall.id))
    past = client.post(f"{API}/halls/{setup.hall.id}/calendar-overrides", headers=admin,
                       json={"date": "2026-11-20", "open": False, "reason": "x"})
    assert past.status_code == 422
    assert session.scalar(select(func.count()).select_from(CalendarOverride)) == 0


def test_sample_halls(session, clock):
    catalogue_item_codes(session, clock)  # the guides seeder runs first (order 10)
    summary = seed_halls(session, clock)
    assert summary.startswith("13 halls created")
    levels = session.execute(select(Hall.level, func.count()).group_by(Hall.level)).all()
    assert dict(levels) == {"city": 1, "town": 6, "village": 6}
    assert session.scalar(select(func.count()).select_from(Window)) > 13
    assert session.scalar(select(func.count()).select_from(HallItem)) > 0
    _, police_item = catalogue_item_codes(session, clock)
    city = session.scalar(select(Hall).where(Hall.level == "city"))
    prefix = session.scalar(select(HallQueue.prefix).join(HallItem, HallItem.queue_id == HallQueue.id)
                            .where(HallItem.hall_id == city.id, HallItem.item_code == police_item))
    assert prefix == "B"  # 公安 items go to the 公安 windows; the rest to general windows
    assert seed_halls(session, clock).startswith("0 halls created, 0 hall items")  # idempotent
