"""Service periods, measured service times, per window/clerk/hour figures,
the waiting-time warning (电子监察) and the "Nth in line" notice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from booking.models import Ticket
from booking.services import periods
from mobile_api.jobs.registry import rule_named
from mobile_api.jobs.runs import run_period
from mobile_api.outbox import OutboxMessage
from wechat.services.templates import template_data

from tests.api.booking.booking_builders import at_window, build_hall

API = "/api/v1/booking"


@pytest.fixture
def setup(session, clock):
    return build_hall(session, clock)


@pytest.fixture
def kiosk(make, setup):
    device, _ = make.kiosk(hall_id=setup.hall.id)
    return lambda: make.headers(device)


@pytest.fixture
def clerk_staff(make, setup):
    return make.staff(hall_id=setup.hall.id)


def walk_in(client, kiosk, item, **body):
    response = client.post(f"{API}/tickets", json=dict({"item": item}, **body), headers=kiosk())
    assert response.status_code == 201, response.json
    return response.json


def serve_one(client, clock, headers, sid, *, called_minutes=1, serving_minutes=5):
    """`headers()`: fresh ones for each request (access tokens live 15 minutes of the moved clock)."""
    called = client.post(f"{API}/counter-sessions/{sid}/call-next", headers=headers())
    assert called.status_code == 200, called.json
    clock.advance(minutes=called_minutes)
    assert client.post(f"{API}/tickets/{called.json['id']}/serve", headers=headers()).status_code == 200
    clock.advance(minutes=serving_minutes)
    assert client.post(f"{API}/tickets/{called.json['id']}/complete", headers=headers()).status_code == 200
    return called.json["id"]


def test_a_ticket_records_waiting_called_and_serving_periods(client, session, clock, setup, kiosk, make, clerk_staff):
    headers = lambda: make.headers(clerk_staff)  # noqa: E731
    ticket = walk_in(client, kiosk, setup.general_item)
    clock.advance(minutes=9)
    sid = at_window(client, headers(), setup.general_windows[0].id)
    tid = serve_one(client, clock, headers, sid, called_minutes=2, serving_minutes=6)
    assert tid == ticket["id"]
    rows = periods.of_ticket(session, tid)
    assert [(p.kind, p.end_reason, int((p.ended_at - p.started_at).total_seconds() // 60)) for p in rows] == [
        ("waiting", "call", 9), ("called", "serve", 2), ("serving", "complete", 6)]
    window = setup.general_windows[0].id
    assert [(p.window_id, p.staff_id, p.session_id) for p in rows[1:]] == [(window, clerk_staff.id, sid)] * 2
    assert rows[0].window_id is None
    # the ticket keeps who served it (ratings are attributed to it)
    stored = session.get(Ticket, tid)
    session.refresh(stored)
    assert (stored.session_id, stored.window_id, stored.staff_id) == (sid, window, clerk_staff.id)


def test_transfer_starts_a_new_wait_in_the_other_queue(client, session, clock, setup, kiosk, make, clerk_staff):
    headers = lambda: make.headers(clerk_staff)  # noqa: E731
    ticket = walk_in(client, kiosk, setup.general_item)
    sid = at_window(client, headers(), setup.general_windows[0].id)
    client.post(f"{API}/counter-sessions/{sid}/call-next", headers=headers())
    clock.advance(minutes=3)
    moved = client.post(f"{API}/tickets/{ticket['id']}/transfer", json={"queue_id": setup.police.id},
                        headers=headers())
    assert moved.status_code == 200 and moved.json["status"] == "waiting"
    clock.advance(minutes=4)
    police = at_window(client, headers(), setup.police_windows[0].id)
    assert client.post(f"{API}/counter-sessions/{police}/call-next", headers=headers()).json["id"] == ticket["id"]
    rows = periods.of_ticket(session, ticket["id"])
    assert [(p.kind, p.queue_id, p.end_reason) for p in rows] == [
        ("waiting", setup.general.id, "call"), ("called", setup.general.id, "transfer"),
        ("waiting", setup.police.id, "call"), ("called", setup.police.id, None)]
    assert rows[2].ended_at - rows[2].started_at == timedelta(minutes=4)


def test_estimates_use_the_measured_service_time_once_there_are_enough(client, session, clock, setup, kiosk, make,
                                                                       clerk_staff):
    headers = lambda: make.headers(clerk_staff)  # noqa: E731
    sid = at_window(client, headers(), setup.general_windows[0].id)
    for served in range(5):
        walk_in(client, kiosk, setup.general_item)
        serve_one(client, clock, headers, sid, called_minutes=1, serving_minutes=5)  # 6 minutes at the window
        measured, samples = periods.measured_service(session, setup.general.id, clock.now())
        assert samples == served + 1 and measured == timedelta(minutes=6)
    waiting = [walk_in(client, kiosk, setup.general_item) for _ in range(3)]
    # 2 ahead × 6 measured minutes / 2 windows (the estimate cache was dropped by the completions)
    assert waiting[2]["estimated_wait_minutes"] == 6
    stats = client.get(f"{API}/halls/{setup.hall.id}/stats", query_string={"date": "2026-11-26"},
                       headers=headers())
    assert stats.status_code == 200, stats.json
    general = next(q for q in stats.json["queues"] if q["prefix"] == "A")
    assert (general["samples"], general["measured_service_minutes"], general["estimate_service_minutes"],
            general["measured"]) == (5, 6.0, 6.0, True)
    police = next(q for q in stats.json["queues"] if q["prefix"] == "B")
    assert (police["samples"], police["estimate_service_minutes"], police["measured"]) == (0, 10.0, False)
    window = next(w for w in stats.json["windows"] if w["window_id"] == setup.general_windows[0].id)
    assert (window["tickets"], window["completed"], window["window_minutes"], window["average_service_minutes"],
            window["staffed_minutes"]) == (5, 5, 30.0, 6.0, 30.0)
    assert stats.json["clerks"] == [{"staff_id": clerk_staff.id, "tickets": 5, "completed": 5,
                                     "window_minutes": 30.0, "average_service_minutes": 6.0}]
    hours = {h["hour"]: h for h in stats.json["hours"]}
    assert sum(h["issued"] for h in hours.values()) == 8
    assert sum(h["completed"] for h in hours.values()) == 5 and hours[9]["called"] >= 1


def _run(app, name):
    return run_period(app, rule_named(app, name), "t", timedelta(minutes=1)).result


def test_a_long_wait_warns_the_hall_admins_once(client, session, clock, setup, kiosk, app, make, clerk_staff):
    first = walk_in(client, kiosk, setup.general_item)
    clock.advance(minutes=30)
    second = walk_in(client, kiosk, setup.general_item)
    assert _run(app, "booking.waiting_warnings") == {"waiting_warnings": 0}
    clock.advance(minutes=31)  # the first has waited 61 minutes, the second 31
    assert _run(app, "booking.waiting_warnings") == {"waiting_warnings": 1}
    clock.advance(minutes=1)
    assert _run(app, "booking.waiting_warnings") == {"waiting_warnings": 0}  # once per ticket
    clock.advance(minutes=30)
    assert _run(app, "booking.waiting_warnings") == {"waiting_warnings": 1}  # now the second
    notices = session.scalars(select(OutboxMessage).where(OutboxMessage.topic == "staff.notify")
                              .order_by(OutboxMessage.id)).all()
    assert [(n.payload["event"], n.payload["hall_id"], n.payload["role"], n.payload["data"]["ticket_id"])
            for n in notices] == [("waiting_warning", setup.hall.id, "admin", first["id"]),
                                  ("waiting_warning", setup.hall.id, "admin", second["id"])]
    assert notices[0].payload["data"]["waited_minutes"] == 61 and notices[0].payload["data"]["limit_minutes"] == 60
    headers = lambda: make.headers(clerk_staff)  # noqa: E731
    stats = client.get(f"{API}/halls/{setup.hall.id}/stats", query_string={"date": "2026-11-26"},
                       headers=headers())
    assert stats.json["waiting_warnings"] == 2
    metrics = client.get("/metrics").get_data(as_text=True)
    assert f'fingertip_booking_waiting_warnings_today{{hall_id="{setup.hall.id}"}} 2.0' in metrics


def test_called_tickets_are_not_warned(client, session, clock, setup, kiosk, app, make, clerk_staff):
    walk_in(client, kiosk, setup.general_item)
    headers = lambda: make.headers(clerk_staff)  # noqa: E731
    sid = at_window(client, headers(), setup.general_windows[0].id)
    client.post(f"{API}/counter-sessions/{sid}/call-next", headers=headers())
    clock.advance(minutes=90)
    assert _run(app, "booking.waiting_warnings") == {"waiting_warnings": 0}


def _position_notices(session):
    return [m.payload for m in session.scalars(select(OutboxMessage).where(OutboxMessage.topic == "citizen.notify")
                                               .order_by(OutboxMessage.id))
            if m.payload["event"] == "queue_position_reached"]


def test_the_citizen_is_told_once_when_n_remain_ahead(client, session, clock, setup, kiosk, make, clerk_staff):
    setup.hall.notify_position = 2
    session.commit()
    citizens = [make.citizen() for _ in range(5)]
    tickets = [walk_in(client, kiosk, setup.general_item, citizen_id=c.id) for c in citizens]
    assert _position_notices(session) == []  # issued within reach: nobody is told at issue
    headers = lambda: make.headers(clerk_staff)  # noqa: E731
    sid = at_window(client, headers(), setup.general_windows[0].id)
    serve_one(client, clock, headers, sid)  # tickets[3] now has 2 ahead (it had 3)
    notices = _position_notices(session)
    assert [(n["citizen_id"], n["data"]["ticket_id"], n["data"]["ahead"]) for n in notices] == [
        (citizens[3].id, tickets[3]["id"], 2)]
    serve_one(client, clock, headers, sid)  # tickets[4] reaches 2 ahead
    serve_one(client, clock, headers, sid)
    assert [n["data"]["ticket_id"] for n in _position_notices(session)] == [tickets[3]["id"], tickets[4]["id"]]
    filled = template_data("queue_position_reached", notices[0]["data"])
    assert filled["character_string1"]["value"] == tickets[3]["number"] and filled["number2"]["value"] == "2"


def test_a_hall_can_turn_the_notice_off(client, session, clock, setup, kiosk, make, clerk_staff):
    """The hall's admin sets N through the set-up API (0 = off); a value out
    of range is refused and changes nothing."""
    admin = make.headers(make.staff("admin", None, setup.hall.id))
    hall_url = f"/api/v1/booking/admin/halls/{setup.hall.id}"
    refused = client.patch(hall_url, json={"notify_position": 100}, headers=admin)
    assert refused.status_code == 422 and "notify_position" in refused.json["errors"]
    assert client.get(hall_url, headers=admin).json["hall"]["notify_position"] == 5
    turned_off = client.patch(hall_url, json={"notify_position": 0}, headers=admin)
    assert turned_off.status_code == 200 and turned_off.json["notify_position"] == 0
    for _ in range(3):
        walk_in(client, kiosk, setup.general_item, citizen_id=make.citizen().id)
    headers = lambda: make.headers(clerk_staff)  # noqa: E731
    serve_one(client, clock, headers, at_window(client, headers(), setup.general_windows[0].id))
    assert _position_notices(session) == []


def test_a_call_from_behind_does_not_move_anyone_up(client, session, clock, setup, kiosk, make, clerk_staff):
    """The fairness rule may call the oldest walk-in from the back of the line:
    the tickets ahead of it have not moved, so nobody is told."""
    setup.hall.notify_position = 1
    session.commit()
    walk_in(client, kiosk, setup.general_item)  # the walk-in the fairness rule will fetch
    for _ in range(4):
        walk_in(client, kiosk, setup.general_item, priority_reason="pregnant")
    headers = lambda: make.headers(clerk_staff)  # noqa: E731
    sid = at_window(client, headers(), setup.general_windows[0].id)
    for _ in range(3):  # three priority tickets go ahead of the walk-in: the streak is full
        serve_one(client, clock, headers, sid, called_minutes=0, serving_minutes=0)
    late = walk_in(client, kiosk, setup.general_item, priority_reason="elderly", citizen_id=make.citizen().id)
    assert late["position"] == 1  # behind the last priority ticket, ahead of the walk-in
    called = client.post(f"{API}/counter-sessions/{sid}/call-next", headers=headers()).json
    assert called["lane"] == "walk_in"  # fetched from behind
    assert client.get(f"{API}/tickets/{late['id']}", headers=kiosk()).json["position"] == 1
    assert _position_notices(session) == []
