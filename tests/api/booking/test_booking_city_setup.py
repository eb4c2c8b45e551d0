"""Setting up a city: the admin API for halls, queues, windows, items and
closures; bad input is a 4xx that changes nothing; the hall import (JSON and
CSV), `flask seed` without and with --sample."""

from __future__ import annotations

import json
import pytest
from sqlalchemy import func, select

from booking.models import CalendarOverride, Hall, HallItem, HallQueue, Window
from mobile_api.audit import AuditEntry

from .booking_builders import catalogue_item_codes

API = "/api/v1/booking/admin"
HOURS = {"0": ["08:30", "17:30"], "1": ["08:30", "17:30"], "2": ["08:30", "17:30"], "3": ["08:30", "17:30"],
         "4": ["08:30", "17:30"], "5": ["09:00", "12:00"]}
NEW_HALL = {"code": "TOWN-99", "name": "新湖镇综合服务中心", "level": "town", "town": "新湖镇",
            "address": "新湖镇政府路 8 号", "lat": 23.1, "lng": 113.9, "phone": "12345", "opening_hours": HOURS}


def _count(session, model):
    return session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def platform(make):
    return make.headers(make.staff("admin", None, None))


def _build(client, platform, session, clock):
    general_item, police_item = catalogue_item_codes(session, clock)
    session.commit()
    hall = client.post(f"{API}/halls", json=NEW_HALL, headers=platform)
    assert hall.status_code == 201, hall.json
    hall_id = hall.json["id"]
    a = client.post(f"{API}/halls/{hall_id}/queues", json={"prefix": "A", "name": "综合窗口", "general": True,
                                                          "places_per_window": 3}, headers=platform).json
    b = client.post(f"{API}/halls/{hall_id}/queues", json={"prefix": "B", "name": "公安专窗"}, headers=platform).json
    w1 = client.post(f"{API}/halls/{hall_id}/windows", json={"number": "01", "name": "1号窗口", "queue_ids": [a["id"]]},
                     headers=platform)
    assert w1.status_code == 201, w1.json
    client.post(f"{API}/halls/{hall_id}/windows", json={"number": "02", "name": "2号窗口",
                                                        "queue_ids": [a["id"], b["id"]]}, headers=platform)
    client.post(f"{API}/halls/{hall_id}/windows", json={"number": "03", "name": "3号窗口", "kind": "special",
                                                        "queue_ids": [b["id"]]}, headers=platform)
    assert client.put(f"{API}/halls/{hall_id}/items/{general_item}", json={"queue_id": a["id"]},
                      headers=platform).status_code == 200
    assert client.put(f"{API}/halls/{hall_id}/items/{police_item}", json={"queue_id": b["id"]},
                      headers=platform).status_code == 200
    return hall_id, a, b, general_item, police_item


def test_a_platform_admin_sets_up_a_hall_that_citizens_can_book(client, platform, session, clock):
    hall_id, a, b, general_item, police_item = _build(client, platform, session, clock)
    detail = client.get(f"{API}/halls/{hall_id}", headers=platform).json
    assert [q["prefix"] for q in detail["queues"]] == ["A", "B"] and detail["queues"][0]["items"] == 1
    assert [w["queue_ids"] for w in detail["windows"]] == [[a["id"]], [a["id"], b["id"]], [b["id"]]]
    public = client.get(f"/api/v1/booking/halls?item={general_item}").json
    assert hall_id in [h["id"] for h in public]
    # two windows serve A at 3 places each; the default (2) would make 4
    slots = client.get(f"/api/v1/booking/halls/{hall_id}/slots",
                       query_string={"item": general_item, "date": "2026-11-30"}).json
    assert slots["slots"][0]["capacity"] == 6
    actions = {e.action for e in session.scalars(select(AuditEntry).where(AuditEntry.action.like("booking.%")))}
    assert {"booking.hall_create", "booking.queue_create", "booking.window_create",
            "booking.hall_item_set"} <= actions

    moved = client.patch(f"{API}/halls/{hall_id}", json={"address": "新湖镇新址 1 号", "lat": 23.2,
                                                         "lunch_start": None, "lunch_end": None}, headers=platform)
    assert moved.status_code == 200 and moved.json["address"] == "新湖镇新址 1 号" and moved.json["lunch_start"] is None
    renamed = client.patch(f"/api/v1/booking/admin/queues/{b['id']}", json={"places_per_window": 5},
                           headers=platform)
    assert renamed.json["places_per_window"] == 5
    window_id = detail["windows"][2]["id"]
    off = client.patch(f"{API}/windows/{window_id}", json={"active": False, "queue_ids": [a["id"]]},
                       headers=platform)
    assert off.status_code == 200 and off.json["queue_ids"] == [a["id"]] and off.json["active"] is False
    # the item moves to the other queue, then the hall stops handling it
    assert client.put(f"{API}/halls/{hall_id}/items/{police_item}", json={"queue_id": a["id"]},
                      headers=platform).json == {"item_code": police_item, "queue_id": a["id"]}
    assert client.delete(f"{API}/halls/{hall_id}/items/{police_item}", headers=platform).status_code == 204
    assert client.get(f"/api/v1/booking/halls/{hall_id}/slots",
                      query_string={"item": police_item, "date": "2026-11-30"}).status_code == 422


def test_a_hall_admin_sets_up_only_their_own_hall(client, platform, make, session, clock):
    hall_id, a, *_ = _build(client, platform, session, clock)
    own = make.headers(make.staff("admin", None, hall_id))
    other = make.headers(make.staff("admin", None, hall_id + 1000))
    dept = make.headers(make.staff("admin", "gongan", None))
    clerk = make.headers(make.staff("clerk", None, hall_id))
    assert client.post(f"{API}/halls/{hall_id}/queues", json={"prefix": "C", "name": "税务"},
                       headers=own).status_code == 201
    for headers in (other, dept, clerk):
        assert client.post(f"{API}/halls/{hall_id}/queues", json={"prefix": "D", "name": "x"},
                           headers=headers).status_code == 403
        assert client.patch(f"{API}/queues/{a['id']}", json={"name": "x"}, headers=headers).status_code == 403
    assert client.post(f"{API}/halls", json=dict(NEW_HALL, code="X-1"), headers=own).status_code == 403
    assert [h["id"] for h in client.get(f"{API}/halls", headers=own).json] == [hall_id]
    assert client.get(f"{API}/halls", headers=dept).status_code == 403
    assert _count(session, HallQueue) == 3


@pytest.mark.parametrize("path,method,body,code", [
    ("/halls", "post", dict(NEW_HALL, opening_hours={"7": ["08:00", "17:00"]}), "booking.setup_invalid"),
    ("/halls", "post", dict(NEW_HALL, opening_hours={"0": ["18:00", "08:00"]}), "booking.setup_invalid"),
    ("/halls", "post", dict(NEW_HALL, opening_hours={"0": None}), "booking.setup_invalid"),
    ("/halls", "post", dict(NEW_HALL, lat=95), None),
    ("/halls", "post", dict(NEW_HALL, level="province"), None),
    ("/halls", "post", dict(NEW_HALL, lunch_start="12:00"), "booking.setup_invalid"),
    ("/halls", "post", dict(NEW_HALL, code="CITY-01"), "booking.setup_conflict"),
    ("/halls/{hall}/queues", "post", {"prefix": "a1", "name": "x"}, None),
    ("/halls/{hall}/queues", "post", {"prefix": "A", "name": "again"}, "booking.setup_conflict"),
    ("/halls/{hall}/queues", "post", {"prefix": "Z", "name": "x", "places_per_window": 0}, None),
    ("/halls/{hall}/windows", "post", {"number": "01", "name": "dup", "queue_ids": ["{a}"]}, "booking.setup_conflict"),
    ("/halls/{hall}/windows", "post", {"number": "09", "name": "x", "queue_ids": [999999]}, "booking.setup_invalid"),
    ("/halls/{hall}/windows", "post", {"number": "09", "name": "x", "queue_ids": []}, None),
    ("/halls/{hall}/items/123", "put", {"queue_id": "{a}"}, "booking.setup_invalid"),
    ("/halls/{hall}/items/999999999999", "put", {"queue_id": "{a}"}, "booking.setup_invalid"),
    ("/halls/{hall}/items/{item}", "put", {"queue_id": 999999}, "booking.setup_invalid"),
    ("/halls/{hall}/closures", "post", {"date": "2026-11-01", "reason": "过去"}, None),
    ("/halls/{hall}", "patch", {"unknown": 1}, None),
    ("/halls/999999", "patch", {"name": "x"}, "booking.hall_not_found"),
    ("/queues/999999", "patch", {"name": "x"}, "booking.no_such_queue"),
    ("/windows/999999", "patch", {"name": "x"}, "booking.window_not_found"),
])
def test_bad_setup_input_is_a_4xx_that_changes_nothing(client, platform, session, clock, path, method, body, code):
    hall_id, a, b, general_item, _ = _build(client, platform, session, clock)
    if code == "booking.setup_conflict" and path == "/halls":
        client.post(f"{API}/halls", json=dict(NEW_HALL, code="CITY-01"), headers=platform)
    before = [_count(session, m) for m in (Hall, HallQueue, Window, HallItem, CalendarOverride)]
    audits = _count(session, AuditEntry)
    text = json.dumps(body).replace('"{a}"', str(a["id"]))
    response = getattr(client, method)(API + path.format(hall=hall_id, item=general_item),
                                       data=text, content_type="application/json", headers=platform)
    assert 400 <= response.status_code < 500, response.json
    assert response.content_type == "application/problem+json"
    if code:
        assert response.json["code"] == code
    assert [_count(session, m) for m in (Hall, HallQueue, Window, HallItem, CalendarOverride)] == before
    assert _count(session, AuditEntry) == audits


def test_a_closure_goes_through_the_calendar_service(client, platform, session, clock):
    hall_id, *_ = _build(client, platform, session, clock)
    closed = client.post(f"{API}/halls/{hall_id}/closures", json={"date": "2026-12-01", "reason": "停电检修"},
                         headers=platform)
    assert closed.status_code == 201 and closed.json == {"hall_id": hall_id, "date": "2026-12-01", "open": False,
                                                         "reason": "停电检修", "appointments_cancelled": 0}
    listed = client.get(f"{API}/halls/{hall_id}/closures", headers=platform).json
    assert [c["date"] for c in listed] == ["2026-12-01"]
    assert session.scalar(select(func.count()).select_from(AuditEntry)
                          .where(AuditEntry.action == "booking.calendar_override")) == 1


# -- import, export, seed ---------------------------------------------------------

def test_import_halls_from_json_creates_then_updates_and_is_all_or_nothing(app, session, clock, tmp_path):
    general_item, police_item = catalogue_item_codes(session, clock)
    session.commit()
    spec = {"halls": [{**NEW_HALL, "lunch": ["12:00", "13:30"],
                       "queues": [{"prefix": "A", "name": "综合窗口", "general": True, "items": [general_item]},
                                  {"prefix": "B", "name": "公安专窗", "places_per_window": 4, "items": [police_item]}],
                       "windows": [{"number": "01", "name": "1号窗口", "queues": ["A"]},
                                   {"number": "02", "name": "2号窗口", "kind": "special", "queues": ["B"]}]}]}
    path = tmp_path / "halls.json"
    path.write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["booking", "import-halls", str(path)])
    assert result.exit_code == 0, result.output
    assert "TOWN-99: created, 2 queues, 2 windows, 2 items linked" in result.output
    hall = session.scalar(select(Hall).where(Hall.code == "TOWN-99"))
    assert (hall.lunch_start, hall.lunch_end) == ("12:00", "13:30")

    spec["halls"][0]["address"] = "新址"
    spec["halls"][0]["windows"].append({"number": "03", "name": "3号窗口", "queues": ["A", "B"]})
    spec["halls"].append({**NEW_HALL, "code": "BAD-1", "opening_hours": {"9": ["08:00", "17:00"]}})
    path.write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
    refused = runner.invoke(args=["booking", "import-halls", str(path)])
    assert refused.exit_code == 1 and "BAD-1" in refused.output and "Traceback" not in refused.output
    session.expire_all()
    assert session.get(Hall, hall.id).address == NEW_HALL["address"]  # nothing imported
    spec["halls"].pop()
    path.write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
    again = runner.invoke(args=["booking", "import-halls", str(path)])
    assert "TOWN-99: updated, 2 queues, 3 windows" in again.output
    session.expire_all()
    assert session.get(Hall, hall.id).address == "新址"

    exported = json.loads(runner.invoke(args=["booking", "export-halls"]).output)
    mine = next(h for h in exported["halls"] if h["code"] == "TOWN-99")
    assert mine["queues"][1]["places_per_window"] == 4 and mine["windows"][2]["queues"] == ["A", "B"]


def test_import_halls_from_csv(app, session, tmp_path):
    path = tmp_path / "halls.csv"
    path.write_text("code,name,level,town,address,lat,lng,phone,hours,lunch\n"
                    "VIL-90,新村服务站,village,新湖镇,新村村委会,23.0,113.8,,mon-fri 09:00-17:00; sat 09:00-12:00,"
                    "12:00-14:00\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["booking", "import-halls", str(path)])
    assert result.exit_code == 0, result.output
    hall = session.scalar(select(Hall).where(Hall.code == "VIL-90"))
    assert hall.opening_hours["5"] == ["09:00", "12:00"] and "6" not in hall.opening_hours
    path.write_text("code,name,level,town,address,lat,lng,phone,hours,lunch\n"
                    "VIL-91,x,village,,y,23.0,113.8,,every day,\n", encoding="utf-8")
    bad = app.test_cli_runner().invoke(args=["booking", "import-halls", str(path)])
    assert bad.exit_code == 1 and "第 2 行" in bad.output


def test_flask_seed_starts_empty_and_seed_sample_loads_the_sample_city(app, session):
    runner = app.test_cli_runner()
    plain = runner.invoke(args=["seed"])
    assert plain.exit_code == 0, plain.output
    assert "seed booking: skipped (sample data: flask seed --sample)" in plain.output
    session.expire_all()
    assert _count(session, Hall) == 0
    sample = runner.invoke(args=["seed", "--sample"])
    assert sample.exit_code == 0 and "seed booking: 13 halls created" in sample.output
    assert _count(session, Hall) == 13


def test_the_cli_closes_a_hall(app, session, clock, platform, client):
    hall_id, *_ = _build(client, platform, session, clock)
    result = app.test_cli_runner().invoke(args=["booking", "close-hall", str(hall_id), "2026-12-02",
                                                "--reason", "台风停止办公"])
    assert result.exit_code == 0, result.output
    assert session.scalar(select(CalendarOverride.reason).where(CalendarOverride.hall_id == hall_id)) == "台风停止办公"
    missing = app.test_cli_runner().invoke(args=["booking", "close-hall", "999999", "2026-12-02", "--reason", "x"])
    assert missing.exit_code == 1 and "booking.hall_not_found" in missing.output


def test_the_cli_adds_queues_windows_and_items(app, session, clock, platform, client):
    general_item, _ = catalogue_item_codes(session, clock)
    session.commit()
    hall_id = client.post(f"{API}/halls", json=NEW_HALL, headers=platform).json["id"]
    runner = app.test_cli_runner()
    steps = [["add-queue", str(hall_id), "A", "综合窗口", "--general", "--places", "3"],
             ["add-window", str(hall_id), "01", "1号窗口", "--queue", "A"],
             ["set-item", str(hall_id), general_item, "A"]]
    for step in steps:
        result = runner.invoke(args=["booking", *step])
        assert result.exit_code == 0, result.output
    queue = session.scalar(select(HallQueue).where(HallQueue.hall_id == hall_id))
    assert queue.places_per_window == 3 and queue.general
    assert session.scalar(select(HallItem.queue_id).where(HallItem.hall_id == hall_id)) == queue.id
    unknown = runner.invoke(args=["booking", "add-window", str(hall_id), "02", "x", "--queue", "Z"])
    assert unknown.exit_code == 1 and "booking.no_such_queue" in unknown.output
    dup = runner.invoke(args=["booking", "add-queue", str(hall_id), "A", "again"])
    assert dup.exit_code == 1 and "booking.setup_conflict" in dup.output
