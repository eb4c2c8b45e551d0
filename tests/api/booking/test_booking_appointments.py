"""Appointments through the API: booking, limits, cancel, reschedule, no-shows."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from booking.models import Appointment, CitizenLimit, Slot
from mobile_api.audit import AuditEntry
from mobile_api.outbox import OutboxMessage

from tests.api.booking.booking_builders import build_hall

FRIDAY = date(2026, 11, 27)
MONDAY = date(2026, 11, 30)


@pytest.fixture
def setup(session, clock):
    return build_hall(session, clock)


def book(client, headers, setup, day=FRIDAY, at="10:00", item=None, **extra):
    body = {"hall_id": setup.hall.id, "item": item or setup.general_item, "date": day.isoformat(), "time": at}
    return client.post("/api/v1/booking/appointments", json=body, headers=dict(headers, **extra))


def remaining(client, setup, day=FRIDAY, at="10:00", item=None):
    response = client.get(f"/api/v1/booking/halls/{setup.hall.id}/slots",
                          query_string={"item": item or setup.general_item, "date": day.isoformat()})
    assert response.status_code == 200, response.json
    return next(slot["remaining"] for slot in response.json["slots"] if slot["time"] == at)


def test_booking_takes_a_place_notifies_and_audits(client, make, session, setup):
    citizen = make.citizen()
    before = remaining(client, setup)
    assert before == 4  # 2 general windows × 2 places
    response = book(client, make.headers(citizen), setup)
    assert response.status_code == 201, response.json
    body = response.json
    assert body["status"] == "booked" and body["time"] == "10:00" and body["date"] == FRIDAY.isoformat()
    assert body["qr_payload"].startswith("BK1.")
    assert remaining(client, setup) == before - 1
    events = session.scalars(select(OutboxMessage.payload).where(OutboxMessage.dedupe_key.like(
        f"booking:{body['id']}:%"))).all()
    assert sorted(p["event"] for p in events) == ["booking_confirmed", "booking_reminder", "booking_reminder"]
    assert all(p["citizen_id"] == citizen.id for p in events)
    assert session.scalar(select(AuditEntry).where(AuditEntry.action == "booking.appointment_create",
                                                   AuditEntry.object_id == str(body["id"]))) is not None


def test_one_active_appointment_per_item_and_day(client, make, session, setup):
    headers = make.headers(make.citizen())
    assert book(client, headers, setup).status_code == 201
    second = book(client, headers, setup, at="14:00")
    assert second.status_code == 409
    assert second.json["code"] == "booking.duplicate_appointment"
    assert second.headers["Content-Type"].startswith("application/problem+json")
    assert remaining(client, setup, at="14:00") == 4  # nothing taken
    assert book(client, headers, setup, day=MONDAY).status_code == 201  # another day is fine


@pytest.mark.parametrize("config_overrides", [{"BOOKING_MAX_ACTIVE_PER_CITIZEN": 2}])
def test_at_most_n_active_appointments(client, make, setup):
    headers = make.headers(make.citizen())
    assert book(client, headers, setup, day=FRIDAY).status_code == 201
    assert book(client, headers, setup, day=MONDAY).status_code == 201
    third = book(client, headers, setup, day=MONDAY + timedelta(days=1))
    assert third.status_code == 409 and third.json["code"] == "booking.too_many_appointments"


@pytest.mark.parametrize("config_overrides", [{"BOOKING_PLACES_PER_WINDOW": 1}])
def test_full_slot_answers_slot_full_and_changes_nothing(client, make, session, setup):
    for _ in range(2):  # 2 windows × 1 place
        assert book(client, make.headers(make.citizen()), setup).status_code == 201
    late = make.citizen()
    response = book(client, make.headers(late), setup)
    assert response.status_code == 409 and response.json["code"] == "booking.slot_full"
    assert session.scalar(select(func.count()).select_from(Appointment)
                          .where(Appointment.citizen_id == late.id)) == 0
    limit = session.get(CitizenLimit, late.id)
    assert limit is None or limit.active_count == 0
    slot = session.scalar(select(Slot).where(Slot.queue_id == setup.general.id))
    assert (slot.booked, slot.capacity) == (2, 2)


@pytest.mark.parametrize("day,at,code", [
    (date(2026, 11, 25), "10:00", "booking.date_in_past"),
    (date(2026, 12, 31), "10:00", "booking.beyond_horizon"),
    (date(2026, 11, 28), "10:00", "booking.hall_closed"),  # Saturday: the test hall keeps weekends closed
    (FRIDAY, "12:30", "booking.no_such_slot"),  # lunch break
    (FRIDAY, "10:10", "booking.no_such_slot"),
    (date(2026, 11, 26), "10:00", "booking.too_short_notice"),  # now is 09:00, notice 2 h
])
def test_bad_dates_and_times_are_refused(client, make, session, setup, day, at, code):
    response = book(client, make.headers(make.citizen()), setup, day=day, at=at)
    assert response.status_code == 422, response.json
    assert response.json["code"] == code
    assert session.scalar(select(func.count()).select_from(Appointment)) == 0


def test_item_the_hall_does_not_handle(client, make, session, setup):
    response = book(client, make.headers(make.citizen()), setup, item="999999999999")
    assert response.status_code == 422 and response.json["code"] == "booking.item_not_handled"
    malformed = book(client, make.headers(make.citizen()), setup, item="12ab")
    assert malformed.status_code == 422 and "item" in malformed.json["errors"]


def test_someone_elses_appointment_is_not_found(client, make, setup):
    mine = book(client, make.headers(make.citizen()), setup).json
    other = make.headers(make.citizen())
    assert client.get(f"/api/v1/booking/appointments/{mine['id']}", headers=other).status_code == 404
    cancel = client.post(f"/api/v1/booking/appointments/{mine['id']}/cancel", headers=other)
    assert cancel.status_code == 404 and cancel.json["code"] == "booking.appointment_not_found"


def test_list_my_appointments(client, make, setup):
    citizen = make.citizen()
    headers = make.headers(citizen)
    book(client, headers, setup)
    book(client, headers, setup, day=MONDAY)
    book(client, make.headers(make.citizen()), setup)
    response = client.get("/api/v1/booking/appointments", headers=headers)
    assert response.status_code == 200
    assert [a["date"] for a in response.json] == [MONDAY.isoformat(), FRIDAY.isoformat()]
    assert '"total": 2' in response.headers["X-Pagination"]


def test_cancel_releases_the_place_and_voids_reminders(client, make, session, setup):
    headers = make.headers(make.citizen())
    appointment = book(client, headers, setup).json
    response = client.post(f"/api/v1/booking/appointments/{appointment['id']}/cancel", headers=headers)
    assert response.status_code == 200 and response.json["status"] == "cancelled"
    assert response.json["qr_payload"] is None
    assert remaining(client, setup) == 4
    statuses = session.scalars(select(OutboxMessage.status).where(
        OutboxMessage.dedupe_key.like(f"booking:{appointment['id']}:%:%_before"))).all()
    assert statuses and set(statuses) == {"skipped"}
    again = client.post(f"/api/v1/booking/appointments/{appointment['id']}/cancel", headers=headers)
    assert again.status_code == 409 and again.json["code"] == "booking.not_cancellable"
    assert remaining(client, setup) == 4  # not released twice
    assert book(client, headers, setup).status_code == 201  # may book the same item and day again


def test_cancel_after_cutoff(client, make, clock, setup):
    citizen = make.citizen()
    appointment = book(client, make.headers(citizen), setup).json
    clock.advance(days=1, minutes=30)  # Friday 09:30, slot at 10:00, cut-off 60 min
    headers = make.headers(citizen)
    response = client.post(f"/api/v1/booking/appointments/{appointment['id']}/cancel", headers=headers)
    assert response.status_code == 409 and response.json["code"] == "booking.cancel_cutoff_passed"
    assert remaining(client, setup) == 3


def test_reschedule_moves_the_place_and_voids_the_old_qr(client, make, session, setup):
    headers = make.headers(make.citizen())
    appointment = book(client, headers, setup).json
    response = client.post(f"/api/v1/booking/appointments/{appointment['id']}/reschedule",
                           json={"date": MONDAY.isoformat(), "time": "15:00"}, headers=headers)
    assert response.status_code == 200, response.json
    moved = response.json
    assert (moved["date"], moved["time"], moved["id"]) == (MONDAY.isoformat(), "15:00", appointment["id"])
    assert moved["qr_payload"] != appointment["qr_payload"]
    assert remaining(client, setup) == 4
    assert remaining(client, setup, day=MONDAY, at="15:00") == 3


@pytest.mark.parametrize("config_overrides", [{"BOOKING_PLACES_PER_WINDOW": 1}])
def test_reschedule_into_a_full_slot_changes_nothing(client, make, session, setup):
    for _ in range(2):
        book(client, make.headers(make.citizen()), setup, day=MONDAY, at="15:00")
    headers = make.headers(make.citizen())
    appointment = book(client, headers, setup).json
    response = client.post(f"/api/v1/booking/appointments/{appointment['id']}/reschedule",
                           json={"date": MONDAY.isoformat(), "time": "15:00"}, headers=headers)
    assert response.status_code == 409 and response.json["code"] == "booking.slot_full"
    current = client.get(f"/api/v1/booking/appointments/{appointment['id']}", headers=headers).json
    assert (current["date"], current["time"], current["qr_payload"]) == (
        FRIDAY.isoformat(), "10:00", appointment["qr_payload"])
    assert remaining(client, setup) == 1


def test_three_no_shows_block_booking_with_reason_and_end_date(client, make, clock, session, setup):
    citizen = make.citizen()
    headers = make.headers(citizen)
    days = [FRIDAY, MONDAY, MONDAY + timedelta(days=1)]
    for day in days:
        assert book(client, headers, setup, day=day).status_code == 201
    clock.advance(days=7)  # all three slots passed without check-in
    headers = make.headers(citizen)
    response = book(client, headers, setup, day=date(2026, 12, 4))
    assert response.status_code == 403, response.json
    assert response.json["code"] == "booking.blocked_no_show"
    assert response.json["blocked_until"].startswith("2027-01-02")
    assert "爽约 3 次" in response.json["detail"]
    statuses = session.scalars(select(Appointment.status).where(Appointment.citizen_id == citizen.id)).all()
    assert statuses == ["no_show"] * 3


def test_idempotency_key_replays_the_booking(client, make, session, setup):
    headers = make.headers(make.citizen())
    first = book(client, headers, setup, **{"Idempotency-Key": "booking-key-0001"})
    second = book(client, headers, setup, **{"Idempotency-Key": "booking-key-0001"})
    assert first.status_code == second.status_code == 201
    assert second.headers.get("Idempotent-Replayed") == "true"
    assert first.json["id"] == second.json["id"]
    assert remaining(client, setup) == 3


def test_only_citizens_book(client, make, setup):
    clerk = make.staff(hall_id=setup.hall.id)
    response = book(client, make.headers(clerk), setup)
    assert response.status_code == 403
    assert client.post("/api/v1/booking/appointments", json={}).status_code == 401


def test_ids_no_column_can_hold_are_not_found(client, make, setup):
    headers = make.headers(make.citizen())
    huge = 2**40
    assert client.get(f"/api/v1/booking/appointments/{huge}", headers=headers).status_code == 404
    assert client.get(f"/api/v1/booking/halls/{huge}").status_code == 404
    assert client.post(f"/api/v1/booking/appointments/{huge}/cancel", headers=headers).status_code == 404
    response = client.post("/api/v1/booking/appointments", headers=headers,
                           json={"hall_id": huge, "item": setup.general_item, "date": "2026-11-27", "time": "10:00"})
    assert response.status_code == 422 and "hall_id" in response.json["errors"]
    clerk = make.headers(make.staff(hall_id=setup.hall.id))
    assert client.post(f"/api/v1/booking/windows/{huge}/call-next", headers=clerk).status_code == 404
    assert client.post(f"/api/v1/booking/tickets/{huge}/complete", headers=clerk).status_code == 404
