"""The one-time subscribe grant goes to the message the citizen most needs
(issue 16, defect 10; rule in wechat/services/priority.py and docs/wechat.md):
the citizen's own "submitted" notice no longer spends the grant that the 补正
notice needs; a confirmation takes a grant only while a spare one remains;
templates shared by configuration follow the same rule."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from mobile_api import outbox
from mobile_api.outbox import OutboxMessage

from .test_wechat_delivery import _citizen_id, _grant


def _application_notice(session, clock, citizen_id, action, status):
    message = outbox.enqueue(session, outbox.CITIZEN_NOTIFY, {
        "citizen_id": citizen_id, "event": "application_status_changed",
        # the shape submissions.services.workflow.notify writes
        "data": {"application_id": 7, "item_code": "11440100MB2C9", "item_name": "居民身份证换领",
                 "status": status, "status_label": status, "action": action, "opinion": None}}, clock.now())
    session.commit()
    return message.id


def _outcome(session, message_id):
    message = session.get(OutboxMessage, message_id, populate_existing=True)
    return message.status, message.last_error


def _sent(standin, mp_appid):
    return [m["data"] for m in standin.sent_messages(mp_appid)]


def test_the_submitted_notice_leaves_the_one_grant_to_the_supplement_request(client, session, clock, app, login,
                                                                               standin, mp_appid):
    answer = login("applicant")
    _grant(client, answer, app, event="application_status_changed")
    citizen_id = _citizen_id(session, answer)
    submitted = _application_notice(session, clock, citizen_id, "submit", "submitted")
    assert outbox.work_once(session, "w1", clock.now()) == {"skipped": 1}
    assert _outcome(session, submitted) == ("skipped", "kept the last grant for a more important message")

    supplement = _application_notice(session, clock, citizen_id, "request_supplement", "supplement_requested")
    assert outbox.work_once(session, "w1", clock.now()) == {"sent": 1}
    assert _outcome(session, supplement) == ("sent", None)
    assert len(_sent(standin, mp_appid)) == 1

    page = client.get("/metrics").get_data(as_text=True)
    assert 'fingertip_wechat_grants_kept{event="application_status_changed"} 1.0' in page


def test_a_spare_grant_lets_the_confirmation_through_and_keeps_the_last(client, session, clock, app, login, standin,
                                                                        mp_appid):
    answer = login("twogrants")
    _grant(client, answer, app, event="application_status_changed", times=2)
    citizen_id = _citizen_id(session, answer)
    ids = [_application_notice(session, clock, citizen_id, action, status) for action, status in
           (("submit", "submitted"), ("accept", "under_review"), ("resubmit", "under_review"),
            ("request_supplement", "supplement_requested"), ("approve", "approved"))]
    outbox.work_once(session, "w1", clock.now())
    outcomes = [_outcome(session, message_id)[0] for message_id in ids]
    # submit takes the spare grant; accept and resubmit may not take the last;
    # 补正 takes it; approve finds none left (first come among equals).
    assert outcomes == ["sent", "skipped", "skipped", "sent", "skipped"]
    assert "no unused subscription grant" in _outcome(session, ids[-1])[1]


@pytest.fixture
def shared_booking_template(config_overrides):
    """One template id configured for booking confirmations and reminders."""
    config_overrides["WECHAT_TEMPLATE_BOOKING_CONFIRMED"] = "shared-booking-template"
    config_overrides["WECHAT_TEMPLATE_BOOKING_REMINDER"] = "shared-booking-template"


@pytest.mark.usefixtures("shared_booking_template")
def test_shared_template_confirmation_leaves_the_grant_to_the_reminder(client, session, clock, app, login, standin,
                                                                      mp_appid):
    answer = login("shared")
    _grant(client, answer, app, event="booking_confirmed")
    citizen_id = _citizen_id(session, answer)
    data = {"item_name": "社保卡补办", "hall_name": "市民服务中心"}
    confirmation = outbox.enqueue(session, outbox.CITIZEN_NOTIFY, {
        "citizen_id": citizen_id, "event": "booking_confirmed", "data": data}, clock.now())
    reminder = outbox.enqueue(session, outbox.CITIZEN_NOTIFY, {
        "citizen_id": citizen_id, "event": "booking_reminder", "data": dict(data, reminder="day_before")},
        clock.now())
    session.commit()
    outbox.work_once(session, "w1", clock.now())
    assert _outcome(session, confirmation.id)[0] == "skipped"
    assert _outcome(session, reminder.id) == ("sent", None)


def test_priorities_as_documented():
    from wechat.services.priority import ACTION, CONFIRMATION, REMINDER, priority_of

    assert priority_of("application_status_changed", {"action": "request_supplement"}) == ACTION
    assert priority_of("called_to_window", {}) == ACTION
    assert priority_of("case_replied", {}) == ACTION
    assert priority_of("booking_reminder", {}) == REMINDER
    assert priority_of("application_status_changed", {"action": "accept"}) == REMINDER
    assert priority_of("application_status_changed", {"action": "submit"}) == CONFIRMATION
    assert priority_of("booking_confirmed", {}) == CONFIRMATION


def test_grants_left_unused_are_listed_for_the_citizen(client, session, clock, app, login):
    answer = login("listing")
    _grant(client, answer, app, event="application_status_changed")
    _application_notice(session, clock, _citizen_id(session, answer), "withdraw", "withdrawn")
    outbox.work_once(session, "w1", clock.now())
    listing = client.get("/api/v1/wechat/subscriptions",
                         headers={"Authorization": f"Bearer {answer['access_token']}"}).json["templates"]
    assert {t["event"]: t["available"] for t in listing}["application_status_changed"] == 1
    assert session.scalar(select(OutboxMessage.status).order_by(OutboxMessage.id.desc()).limit(1)) == "skipped"


def test_a_hall_closure_notice_is_delivered_with_its_own_template(client, session, clock, app, login, standin,
                                                                   mp_appid):
    """booking_cancelled (written by booking/services/places.py when a hall
    closes for a day) is a known event with a template: it is sent, not
    failed as an unknown event."""
    answer = login("closure")
    _grant(client, answer, app, event="booking_cancelled")
    citizen_id = _citizen_id(session, answer)
    message = outbox.enqueue(session, outbox.CITIZEN_NOTIFY, {
        "citizen_id": citizen_id, "event": "booking_cancelled",
        "data": {"appointment_id": 3, "hall_id": 1, "item_code": "11440100MB2C9",
                 "starts_at": "2026-11-27T01:30:00+00:00", "local_time": "2026-11-27 09:30",
                 "tip": "11月27日大厅停止办公，预约已取消", "reason": "hall closed: 停电检修"}}, clock.now())
    session.commit()
    assert outbox.work_once(session, "w1", clock.now()) == {"sent": 1}
    assert _outcome(session, message.id) == ("sent", None)
    sent = _sent(standin, mp_appid)
    assert sent[-1]["thing4"]["value"] == "11月27日大厅停止办公，预约已取消"
    assert sent[-1]["time2"]["value"] == "2026-11-27 09:30"
