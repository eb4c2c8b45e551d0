"""A notice past its moment is dropped at delivery, not sent (issue 16, defect
10): a worker that reaches the hour-before reminder after the slot started
(a delay, an outage), a reminder to a citizen marked a no-show or whose
appointment was cancelled behind the outbox's back (a hall closure), a retry
that waited past the slot, a call to a window for a ticket already served.
Each is skipped as "dropped: <why>", sends nothing, leaves the grant unused
and is counted on /metrics."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select, update

from booking.jobs import mark_no_shows
from booking.models import Appointment
from mobile_api import outbox
from mobile_api.outbox import OutboxMessage
from tests.api.booking.booking_builders import at_window, build_hall
from wechat.models import MessageDelivery, SubscriptionGrant

from .conftest import bearer

FRIDAY = date(2026, 11, 27)  # the clock stands on Thursday 2026-11-26 09:00
API = "/api/v1/booking"


@pytest.fixture
def setup(session, clock):
    return build_hall(session, clock)


def _grant(client, app, answer, event, times=1):
    template = app.config[f"WECHAT_TEMPLATE_{event.upper()}"]
    for _ in range(times):
        assert client.post("/api/v1/wechat/subscriptions", json={"results": {template: "accept"}},
                           headers=bearer(answer)).status_code == 201
    return template


def _book(client, app, login, setup, user, at="10:00"):
    """A mini-program citizen with grants for both reminders books Friday `at`;
    the confirmation goes out at once."""
    answer = login(user)
    _grant(client, app, answer, "booking_reminder", times=2)
    booked = client.post(f"{API}/appointments", headers=bearer(answer),
                         json={"hall_id": setup.hall.id, "item": setup.general_item, "date": FRIDAY.isoformat(),
                               "time": at})
    assert booked.status_code == 201, booked.json
    return answer, booked.json


def _reminders(session, appointment_id):
    return {m.payload["data"]["reminder"]: m for m in session.scalars(
        select(OutboxMessage).where(OutboxMessage.dedupe_key.like(f"booking:{appointment_id}:%"))
        .execution_options(populate_existing=True)) if m.payload["event"] == "booking_reminder"}


def _unused_grants(session, app):
    template = app.config["WECHAT_TEMPLATE_BOOKING_REMINDER"]
    return len(session.scalars(select(SubscriptionGrant).where(SubscriptionGrant.template_id == template,
                                                               SubscriptionGrant.used_at.is_(None))
                               .execution_options(populate_existing=True)).all())


def _reminders_sent(standin, app, mp_appid):
    template = app.config["WECHAT_TEMPLATE_BOOKING_REMINDER"]
    return [m for m in standin.sent_messages(mp_appid) if m["template_id"] == template]


def test_reminders_reached_after_the_slot_started_are_dropped(client, session, clock, app, login, setup, standin,
                                                              mp_appid):
    _, appointment = _book(client, app, login, setup, "late")
    outbox.work_once(session, "w1", clock.now())  # the confirmation, due now
    clock.advance(days=1, hours=1, minutes=5)  # the worker was away until Friday 10:05; the slot began at 10:00
    assert outbox.work_once(session, "w1", clock.now()) == {"skipped": 2}
    reminders = _reminders(session, appointment["id"])
    assert {name: m.last_error for name, m in reminders.items()} == {
        "day_before": "dropped: slot_started", "hour_before": "dropped: slot_started"}
    assert _reminders_sent(standin, app, mp_appid) == []
    assert _unused_grants(session, app) == 2  # nothing spent on a stale notice

    page = client.get("/metrics").get_data(as_text=True)
    assert 'fingertip_wechat_notices_dropped{event="booking_reminder",reason="slot_started"} 2.0' in page


def test_a_reminder_on_time_is_sent(client, session, clock, app, login, setup, standin, mp_appid):
    _book(client, app, login, setup, "ontime")
    clock.advance(days=1)  # Friday 09:00: both reminders due, the slot at 10:00
    assert outbox.work_once(session, "w1", clock.now()) == {"sent": 2, "skipped": 1}  # no grant to confirm
    assert len(_reminders_sent(standin, app, mp_appid)) == 2


def test_no_show_and_cancelled_behind_the_outbox_are_dropped(client, session, clock, app, login, setup, standin,
                                                             mp_appid):
    _, first = _book(client, app, login, setup, "noshow", at="10:00")
    _, second = _book(client, app, login, setup, "closed", at="11:00")
    outbox.work_once(session, "w1", clock.now())
    # A hall closure (or any path that forgets cancel_reminders) cancels the second.
    session.execute(update(Appointment).where(Appointment.id == second["id"]).values(status="cancelled"))
    session.commit()
    clock.advance(days=1, hours=1, minutes=20)  # Friday 10:20: the first is past its check-in window
    assert mark_no_shows(session, clock, app)["no_shows_marked"] >= 1
    session.commit()
    assert session.get(Appointment, first["id"], populate_existing=True).status == "no_show"
    outbox.work_once(session, "w1", clock.now())
    assert {m.last_error for m in _reminders(session, first["id"]).values()} == {"dropped: appointment_no_show"}
    assert {m.last_error for m in _reminders(session, second["id"]).values()} == {"dropped: appointment_cancelled"}
    assert _reminders_sent(standin, app, mp_appid) == []


def test_a_retry_that_waited_past_the_slot_is_dropped_and_frees_the_grant(client, session, clock, app, login, setup,
                                                                         standin, mp_appid):
    _book(client, app, login, setup, "retry", at="10:00")
    outbox.work_once(session, "w1", clock.now())
    clock.advance(days=1)  # Friday 09:00
    standin.fail_next("subscribe_send", -1)  # WeChat busy for the first of the two reminders
    assert outbox.work_once(session, "w1", clock.now()) == {"pending": 1, "sent": 1}
    [waiting] = session.scalars(select(MessageDelivery).where(MessageDelivery.status == "retry")).all()
    assert waiting.grant_id is not None  # reserved while it waits
    clock.advance(hours=1, minutes=1)  # the retry comes at 10:01
    assert outbox.work_once(session, "w1", clock.now()) == {"skipped": 1}
    row = session.get(MessageDelivery, waiting.id, populate_existing=True)
    assert row.status == "skipped" and row.reason == "dropped: slot_started"
    assert session.get(SubscriptionGrant, waiting.grant_id, populate_existing=True).used_at is None
    assert len(_reminders_sent(standin, app, mp_appid)) == 1


def test_a_call_to_the_window_for_a_ticket_already_served_is_dropped(client, session, clock, app, login, setup, make,
                                                                    standin, mp_appid):
    answer, appointment = _book(client, app, login, setup, "caller")
    _grant(client, app, answer, "called_to_window")
    clock.advance(days=1, minutes=40)  # Friday 09:40
    outbox.work_once(session, "w1", clock.now())
    device, _ = make.kiosk(hall_id=setup.hall.id)
    checked_in = client.post(f"{API}/check-ins", json={"qr_payload": appointment["qr_payload"]},
                             headers=make.headers(device))
    assert checked_in.status_code == 201, checked_in.json
    clerk = make.headers(make.staff(hall_id=setup.hall.id))
    at_window(client, clerk, setup.general_windows[0].id)  # a clerk calls only for their session's window
    called = client.post(f"{API}/windows/{setup.general_windows[0].id}/call-next", headers=clerk)
    assert called.status_code == 200 and called.json["id"] == checked_in.json["id"]
    # the worker is slow: the clerk serves the citizen before the notice goes out
    assert client.post(f"{API}/tickets/{called.json['id']}/complete", headers=clerk).status_code == 200
    outbox.work_once(session, "w1", clock.now())
    [call] = [m for m in session.scalars(select(OutboxMessage).execution_options(populate_existing=True))
              if m.payload["event"] == "called_to_window"]
    assert call.status == "skipped" and call.last_error == "dropped: ticket_completed"
    template = app.config["WECHAT_TEMPLATE_CALLED_TO_WINDOW"]
    assert [m for m in standin.sent_messages(mp_appid) if m["template_id"] == template] == []
    page = client.get("/metrics").get_data(as_text=True)
    assert re.search(r'fingertip_wechat_notices_dropped\{event="called_to_window",reason="ticket_completed"\} 1\.0',
                     page)
