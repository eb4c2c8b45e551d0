"""Check-in, walk-in tickets, calling, the board, statistics and the hooks."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from booking.models import Appointment, Ticket
from mobile_api import hooks
from mobile_api.outbox import OutboxMessage

from tests.api.booking.booking_builders import at_window, build_hall

FRIDAY = date(2026, 11, 27)
API = "/api/v1/booking"


@pytest.fixture
def setup(session, clock):
    return build_hall(session, clock)


@pytest.fixture
def kiosk(make, setup):
    device, _ = make.kiosk(hall_id=setup.hall.id)
    return make.headers(device)


@pytest.fixture
def clerk(make, setup):
    return make.headers(make.staff(hall_id=setup.hall.id))


def walk_in(client, kiosk, setup, item=None, **body):
    response = client.post(f"{API}/tickets", json=dict({"item": item or setup.general_item}, **body), headers=kiosk)
    assert response.status_code == 201, response.json
    return response.json


def call_next(client, clerk, window):
    at_window(client, clerk, window.id)
    return client.post(f"{API}/windows/{window.id}/call-next", headers=clerk)


def booked_appointment(client, make, setup, clock, at="10:00"):
    citizen = make.citizen()
    response = client.post(f"{API}/appointments", headers=make.headers(citizen),
                           json={"hall_id": setup.hall.id, "item": setup.general_item,
                                 "date": FRIDAY.isoformat(), "time": at})
    assert response.status_code == 201, response.json
    return citizen, response.json


def test_walk_in_numbers_per_queue(client, kiosk, setup):
    numbers = [walk_in(client, kiosk, setup)["number"] for _ in range(3)]
    assert numbers == ["A001", "A002", "A003"]
    assert walk_in(client, kiosk, setup, item=setup.police_item)["number"] == "B001"


def test_numbers_restart_each_day(client, make, clock, setup):
    device, _ = make.kiosk(hall_id=setup.hall.id)
    assert walk_in(client, make.headers(device), setup)["number"] == "A001"
    clock.advance(days=1)
    assert walk_in(client, make.headers(device), setup)["number"] == "A001"


def test_walk_in_refusals(client, make, kiosk, setup, clock, session):
    response = client.post(f"{API}/tickets", json={"item": "999999999999"}, headers=kiosk)
    assert response.status_code == 422 and response.json["code"] == "booking.item_not_handled"
    response = client.post(f"{API}/tickets", json={"item": setup.general_item, "priority_reason": "vip"},
                           headers=kiosk)
    assert response.status_code == 422 and "priority_reason" in response.json["errors"]
    citizen = make.citizen()
    assert client.post(f"{API}/tickets", json={"item": setup.general_item},
                       headers=make.headers(citizen)).status_code == 403
    clock.advance(days=2)  # Saturday: the hall is closed
    device, _ = make.kiosk(hall_id=setup.hall.id)
    response = client.post(f"{API}/tickets", json={"item": setup.general_item}, headers=make.headers(device))
    assert response.status_code == 422 and response.json["code"] == "booking.hall_closed"
    assert session.scalar(select(func.count()).select_from(Ticket)) == 0


def test_kiosk_check_in_puts_the_appointment_ahead_of_walk_ins(client, make, clock, setup, kiosk, clerk, session):
    walk_in(client, kiosk, setup)
    _, appointment = booked_appointment(client, make, setup, clock)
    clock.advance(days=1, minutes=40)  # Friday 09:40, slot at 10:00
    device, _ = make.kiosk(hall_id=setup.hall.id)
    response = client.post(f"{API}/check-ins", json={"qr_payload": appointment["qr_payload"]},
                           headers=make.headers(device))
    assert response.status_code == 201, response.json
    ticket = response.json
    assert ticket["lane"] == "appointment" and ticket["appointment_id"] == appointment["id"]
    assert ticket["position"] == 0
    assert session.get(Appointment, appointment["id"]).status == "checked_in"
    again = client.post(f"{API}/check-ins", json={"qr_payload": appointment["qr_payload"]},
                        headers=make.headers(device))
    assert again.status_code == 409 and again.json["code"] == "booking.qr_used"
    called = call_next(client, make.headers(make.staff(hall_id=setup.hall.id)), setup.general_windows[0])
    assert called.status_code == 200 and called.json["id"] == ticket["id"]


def test_check_in_time_window_and_forgeries(client, make, clock, setup, session):
    _, appointment = booked_appointment(client, make, setup, clock)
    payload = appointment["qr_payload"]
    device, _ = make.kiosk(hall_id=setup.hall.id)
    early = client.post(f"{API}/check-ins", json={"qr_payload": payload}, headers=make.headers(device))
    assert early.status_code == 409 and early.json["code"] == "booking.check_in_too_early"
    forged = payload[:-2] + ("AA" if not payload.endswith("AA") else "BB")
    clock.advance(days=1, minutes=40)
    headers = make.headers(device)
    bad = client.post(f"{API}/check-ins", json={"qr_payload": forged}, headers=headers)
    assert bad.status_code == 422 and bad.json["code"] == "booking.qr_invalid"
    other_id = payload.replace(f"BK1.{appointment['id']}.", "BK1.999.")
    assert client.post(f"{API}/check-ins", json={"qr_payload": other_id}, headers=headers).json["code"] == \
        "booking.qr_invalid"
    elsewhere = build_hall(session, clock, code="T-OTHER")
    other_kiosk, _ = make.kiosk(hall_id=elsewhere.hall.id)
    wrong = client.post(f"{API}/check-ins", json={"qr_payload": payload}, headers=make.headers(other_kiosk))
    assert wrong.status_code == 403 and wrong.json["code"] == "booking.wrong_hall"
    clock.advance(minutes=36)  # 10:16, more than 15 min after the start
    late = client.post(f"{API}/check-ins", json={"qr_payload": payload}, headers=make.headers(device))
    assert late.status_code == 409 and late.json["code"] == "booking.check_in_too_late"
    assert session.get(Appointment, appointment["id"]).status == "booked"
    assert session.scalar(select(func.count()).select_from(Ticket)) == 0


def test_cancelled_appointment_qr_is_useless(client, make, clock, setup):
    citizen, appointment = booked_appointment(client, make, setup, clock)
    client.post(f"{API}/appointments/{appointment['id']}/cancel", headers=make.headers(citizen))
    clock.advance(days=1, minutes=40)
    device, _ = make.kiosk(hall_id=setup.hall.id)
    response = client.post(f"{API}/check-ins", json={"qr_payload": appointment["qr_payload"]},
                           headers=make.headers(device))
    assert response.status_code == 409 and response.json["code"] == "booking.qr_used"


def test_phone_check_in_near_the_hall_only(client, make, clock, setup):
    citizen, appointment = booked_appointment(client, make, setup, clock)
    clock.advance(days=1, minutes=40)
    headers = make.headers(citizen)
    far = client.post(f"{API}/check-ins", headers=headers,
                      json={"appointment_id": appointment["id"], "lat": 23.10, "lng": 113.75})
    assert far.status_code == 422 and far.json["code"] == "booking.too_far_from_hall"
    stranger = client.post(f"{API}/check-ins", headers=make.headers(make.citizen()),
                           json={"appointment_id": appointment["id"], "lat": 23.0206, "lng": 113.7519})
    assert stranger.status_code == 404
    near = client.post(f"{API}/check-ins", headers=headers,
                       json={"appointment_id": appointment["id"], "lat": 23.0206, "lng": 113.7519})
    assert near.status_code == 201 and near.json["source"] == "appointment"


def test_priority_order_and_fairness_rule(client, make, kiosk, clerk, setup):
    """Priority tickets go first, but at most 3 in a row overtake the oldest walk-in."""
    first_walk_in = walk_in(client, kiosk, setup)
    priority = [walk_in(client, kiosk, setup, priority_reason="disabled", priority_note="残疾证已查验")
                for _ in range(5)]
    window = setup.general_windows[0]
    order = []
    for _ in range(6):
        called = call_next(client, clerk, window)
        assert called.status_code == 200, called.json
        order.append(called.json["number"])
        assert client.post(f"{API}/tickets/{called.json['id']}/complete", headers=clerk).status_code == 200
    numbers = [p["number"] for p in priority]
    assert order == numbers[:3] + [first_walk_in["number"]] + numbers[3:5]
    assert priority[0]["lane"] == "priority" and priority[0]["priority_reason"] == "disabled"
    empty = call_next(client, clerk, window)
    assert empty.status_code == 409 and empty.json["code"] == "booking.queue_empty"


def test_clerk_of_another_hall_cannot_call(client, make, kiosk, session, clock, setup):
    walk_in(client, kiosk, setup)
    other = build_hall(session, clock, code="T-OTHER")
    stranger = make.headers(make.staff(hall_id=other.hall.id))
    response = client.post(f"{API}/windows/{setup.general_windows[0].id}/call-next", headers=stranger)
    assert response.status_code == 403 and response.json["code"] == "booking.wrong_hall"
    opened = client.post(f"{API}/counter-sessions", json={"window_id": setup.general_windows[0].id},
                         headers=stranger)
    assert opened.status_code == 403 and opened.json["code"] == "booking.wrong_hall"
    assert session.scalar(select(Ticket.status)) == "waiting"
    assert client.post(f"{API}/windows/99999/call-next", headers=stranger).status_code == 404


def test_recall_skip_requeue_once(client, make, kiosk, clerk, setup):
    ticket = walk_in(client, kiosk, setup)
    window = setup.general_windows[0]
    assert call_next(client, clerk, window).json["id"] == ticket["id"]
    busy = call_next(client, clerk, window)
    assert busy.status_code == 409 and busy.json["code"] == "booking.window_busy"
    early = client.post(f"{API}/tickets/{ticket['id']}/skip", headers=clerk)
    assert early.status_code == 409 and early.json["code"] == "booking.skip_too_early"
    for expected in (2, 3):
        recalled = client.post(f"{API}/tickets/{ticket['id']}/recall", headers=clerk)
        assert recalled.json["call_count"] == expected
    skipped = client.post(f"{API}/tickets/{ticket['id']}/skip", headers=clerk)
    assert skipped.status_code == 200 and skipped.json["status"] == "skipped"
    requeued = client.post(f"{API}/tickets/{ticket['id']}/requeue", headers=kiosk)
    assert requeued.status_code == 200 and requeued.json["status"] == "waiting" and requeued.json["requeued"]
    call_next(client, clerk, window)
    for _ in range(2):
        client.post(f"{API}/tickets/{ticket['id']}/recall", headers=clerk)
    client.post(f"{API}/tickets/{ticket['id']}/skip", headers=clerk)
    twice = client.post(f"{API}/tickets/{ticket['id']}/requeue", headers=kiosk)
    assert twice.status_code == 409 and twice.json["code"] == "booking.requeue_used"


def test_transfer_to_another_queue(client, kiosk, clerk, make, setup):
    ticket = walk_in(client, kiosk, setup)
    call_next(client, clerk, setup.general_windows[0])
    moved = client.post(f"{API}/tickets/{ticket['id']}/transfer", json={"queue_id": setup.police.id}, headers=clerk)
    assert moved.status_code == 200 and moved.json["queue_id"] == setup.police.id
    assert moved.json["status"] == "waiting" and moved.json["number"] == ticket["number"]
    called = call_next(client, clerk, setup.police_windows[0])
    assert called.json["id"] == ticket["id"]
    bad = client.post(f"{API}/tickets/{ticket['id']}/transfer", json={"queue_id": 99999}, headers=clerk)
    assert bad.status_code == 422


def test_complete_is_a_served_event_and_invites_a_rating(client, make, clock, setup, kiosk, clerk, session):
    citizen, appointment = booked_appointment(client, make, setup, clock)
    clock.advance(days=1, minutes=40)
    device, _ = make.kiosk(hall_id=setup.hall.id)
    ticket = client.post(f"{API}/check-ins", json={"qr_payload": appointment["qr_payload"]},
                         headers=make.headers(device)).json
    staff = make.staff(hall_id=setup.hall.id)
    clerk = make.headers(staff)
    call_next(client, clerk, setup.general_windows[0])
    clock.advance(minutes=12)
    done = client.post(f"{API}/tickets/{ticket['id']}/complete", headers=make.headers(staff))
    assert done.status_code == 200 and done.json["status"] == "completed"
    event = hooks.get_served_event(session, "ticket", ticket["id"])
    assert event.finished and event.citizen_id == citizen.id and event.staff_id == staff.id
    assert event.hall_id == setup.hall.id and event.window_id == setup.general_windows[0].id
    assert event.item_code == setup.general_item
    payloads = session.scalars(select(OutboxMessage.payload).where(OutboxMessage.topic == "citizen.notify")).all()
    assert {"called_to_window", "rating_invitation"} <= {p["event"] for p in payloads}


def test_position_estimate_board_and_stats(client, make, clock, kiosk, clerk, setup):
    tickets = [walk_in(client, kiosk, setup) for _ in range(4)]
    assert [t["position"] for t in tickets] == [0, 1, 2, 3]
    assert tickets[3]["estimated_wait_minutes"] == 15  # 3 ahead × 10 min default / 2 windows
    window = setup.general_windows[0]
    call_next(client, clerk, window)
    clock.advance(minutes=12)  # tokens live 15 minutes
    client.post(f"{API}/tickets/{tickets[0]['id']}/complete", headers=clerk)
    view = client.get(f"{API}/tickets/{tickets[3]['id']}", headers=kiosk).json
    assert view["position"] == 2 and view["estimated_wait_minutes"] == 10  # 1 sample: the default
    call_next(client, clerk, window)
    board = client.get(f"{API}/halls/{setup.hall.id}/board")
    assert board.status_code == 200
    assert board.json["calling"][0]["number"] == tickets[1]["number"]
    assert board.json["calling"][0]["window"] == window.number
    assert {q["prefix"]: q["waiting"] for q in board.json["queues"]} == {"A": 2, "B": 0}
    stats = client.get(f"{API}/halls/{setup.hall.id}/stats", query_string={"date": "2026-11-26"}, headers=clerk)
    assert stats.status_code == 200, stats.json
    assert stats.json["tickets"] == 4 and stats.json["completed"] == 1
    assert stats.json["average_service_minutes"] == 12.0
    assert stats.json["average_wait_minutes"] == 6.0  # 0 min and 12 min
    assert client.get(f"{API}/halls/{setup.hall.id}/stats", query_string={"date": "2026-11-26"},
                      headers=kiosk).status_code == 403


def test_tickets_are_visible_to_their_owner_and_hall_only(client, make, clock, setup, kiosk):
    citizen, appointment = booked_appointment(client, make, setup, clock)
    clock.advance(days=1, minutes=40)
    ticket = client.post(f"{API}/check-ins", headers=make.headers(citizen),
                         json={"appointment_id": appointment["id"], "lat": 23.0206, "lng": 113.7519}).json
    assert client.get(f"{API}/tickets/{ticket['id']}", headers=make.headers(citizen)).status_code == 200
    assert client.get(f"{API}/tickets/{ticket['id']}", headers=make.headers(make.citizen())).status_code == 404


def test_merge_and_erasure_hooks(client, make, clock, setup, session):
    a, b = make.citizen(), make.citizen()
    for citizen, at in ((a, "10:00"), (b, "11:00")):
        client.post(f"{API}/appointments", headers=make.headers(citizen),
                    json={"hall_id": setup.hall.id, "item": setup.general_item, "date": FRIDAY.isoformat(),
                          "time": at})
    client.post(f"{API}/appointments", headers=make.headers(a),
                json={"hall_id": setup.hall.id, "item": setup.police_item, "date": FRIDAY.isoformat(),
                      "time": "10:00"})
    hooks.merge_citizens(session, a.id, b.id)
    session.commit()
    rows = session.execute(select(Appointment.item_code, Appointment.status, Appointment.starts_at)
                           .where(Appointment.citizen_id == b.id).order_by(Appointment.id)).all()
    assert sorted((code, status) for code, status, _ in rows) == sorted(
        [(setup.general_item, "cancelled"), (setup.general_item, "booked"), (setup.police_item, "booked")])
    response = client.get(f"{API}/halls/{setup.hall.id}/slots",
                          query_string={"item": setup.general_item, "date": FRIDAY.isoformat()})
    assert next(s for s in response.json["slots"] if s["time"] == "10:00")["remaining"] == 4
    hooks.erase_citizen(session, b.id, clock.now())
    session.commit()
    assert session.scalar(select(func.count()).select_from(Appointment).where(Appointment.citizen_id == b.id)) == 0
    assert set(session.scalars(select(Appointment.status))) == {"cancelled"}


def test_elderly_priority_from_the_real_name_birth_date(client, make, clock, setup, app, session):
    from identity import real_name
    from identity.id_numbers import make_id_number

    elder, young = make.citizen(), make.citizen()
    cipher = app.extensions["cipher"]
    real_name.declare(session, cipher, make.actor(elder), clock, "张老伯", make_id_number("44190019500101123"))
    real_name.declare(session, cipher, make.actor(young), clock, "李青年", make_id_number("44190019990101456"))
    device, _ = make.kiosk(hall_id=setup.hall.id)
    kiosk = make.headers(device)
    plain = walk_in(client, kiosk, setup)
    young_ticket = walk_in(client, kiosk, setup, citizen_id=young.id)
    elder_ticket = walk_in(client, kiosk, setup, citizen_id=elder.id)
    assert (plain["lane"], young_ticket["lane"]) == ("walk_in", "walk_in")
    assert elder_ticket["lane"] == "priority" and elder_ticket["priority_reason"] == "elderly"
    assert elder_ticket["position"] == 0
    called = call_next(client, make.headers(make.staff(hall_id=setup.hall.id)), setup.general_windows[0])
    assert called.json["id"] == elder_ticket["id"]
