"""Subscribe messages through the outbox: only with a one-time grant, used
up when sent, at most once, retried with backoff and given up with a reason."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from mobile_api import outbox
from mobile_api.outbox import OutboxMessage
from wechat.models import MessageDelivery, SubscriptionGrant
from wechat.services.delivery import deliver_citizen_notification

from .conftest import bearer

EVENT_DATA = {"item_name": "居民身份证换领（到期换证）", "time": "2026-11-27T01:30:00+00:00",
              "hall_name": "市民服务中心一楼综合窗口区东侧", "number": "A0012"}


def _citizen_id(session, answer):
    from identity.models import Citizen

    return session.scalar(select(Citizen.id).where(Citizen.public_id == answer["citizen"]["public_id"]))


def _grant(client, answer, app, event="booking_confirmed", times=1):
    template = app.config[f"WECHAT_TEMPLATE_{event.upper()}"]
    for _ in range(times):
        response = client.post("/api/v1/wechat/subscriptions", json={"results": {template: "accept"}},
                               headers=bearer(answer))
        assert response.status_code == 201
    return template


def _enqueue(session, clock, citizen_id, event="booking_confirmed", data=None, max_attempts=6):
    message = outbox.enqueue(session, outbox.CITIZEN_NOTIFY,
                             {"citizen_id": citizen_id, "event": event, "data": data or EVENT_DATA},
                             clock.now(), max_attempts=max_attempts)
    session.commit()
    return message.id


def _message(session, message_id) -> OutboxMessage:
    return session.get(OutboxMessage, message_id, populate_existing=True)


def test_a_granted_message_is_sent_once_and_uses_the_grant(client, session, clock, app, login, standin, mp_appid):
    answer = login("alice")
    template = _grant(client, answer, app)
    citizen_id = _citizen_id(session, answer)
    message_id = _enqueue(session, clock, citizen_id)

    assert outbox.work_once(session, "w1", clock.now()) == {"sent": 1}
    sent = standin.sent_messages(mp_appid)
    assert len(sent) == 1
    assert sent[0]["template_id"] == template
    assert sent[0]["data"]["thing1"]["value"].startswith("居民身份证换领")
    assert len(sent[0]["data"]["thing3"]["value"]) <= 20  # cut to WeChat's limit
    assert sent[0]["data"]["time2"]["value"] == "2026-11-27 09:30"  # shown in Beijing time
    grant = session.scalar(select(SubscriptionGrant))
    assert grant.used_by_message_id == message_id and grant.used_at is not None
    delivery = session.scalar(select(MessageDelivery))
    assert delivery.status == "sent" and delivery.outbox_message_id == message_id
    assert _message(session, message_id).status == "sent"
    listing = client.get("/api/v1/wechat/subscriptions", headers=bearer(answer)).json["templates"]
    assert {t["event"]: t["available"] for t in listing}["booking_confirmed"] == 0

    # Handing the same message to the handler again (a worker whose lease ran out) sends nothing.
    again = deliver_citizen_notification(session, _message(session, message_id), clock.now(),
                                         outbox.handler_for(outbox.CITIZEN_NOTIFY).keywords["config"])
    assert again.status == "sent"
    assert len(standin.sent_messages(mp_appid)) == 1


def test_no_grant_means_nothing_is_sent(client, session, clock, login, standin, mp_appid):
    answer = login("bob")
    message_id = _enqueue(session, clock, _citizen_id(session, answer))
    assert outbox.work_once(session, "w1", clock.now()) == {"skipped": 1}
    assert standin.sent_messages(mp_appid) == []
    message = _message(session, message_id)
    assert "no unused subscription grant" in message.last_error
    assert session.scalar(select(MessageDelivery.status)) == "skipped"


def test_a_grant_serves_one_message_only(client, session, clock, app, login, standin, mp_appid):
    answer = login("carol")
    _grant(client, answer, app)
    citizen_id = _citizen_id(session, answer)
    _enqueue(session, clock, citizen_id)
    _enqueue(session, clock, citizen_id)
    assert outbox.work_once(session, "w1", clock.now()) == {"sent": 1, "skipped": 1}
    assert len(standin.sent_messages(mp_appid)) == 1


def test_grants_are_per_template(client, session, clock, app, login, standin, mp_appid):
    answer = login("dan")
    _grant(client, answer, app, event="case_replied")
    _enqueue(session, clock, _citizen_id(session, answer), event="booking_confirmed")
    assert outbox.work_once(session, "w1", clock.now()) == {"skipped": 1}
    assert standin.sent_messages(mp_appid) == []


def test_a_failing_send_is_retried_with_backoff_then_given_up_with_the_reason(
        client, session, clock, app, login, standin, mp_appid):
    answer = login("erin")
    _grant(client, answer, app)
    message_id = _enqueue(session, clock, _citizen_id(session, answer), max_attempts=3)
    standin.fail_next("subscribe_send", -1, 45011, -1)

    assert outbox.work_once(session, "w1", clock.now()) == {"pending": 1}
    assert outbox.work_once(session, "w1", clock.now()) == {}  # backing off
    clock.advance(seconds=31)
    assert outbox.work_once(session, "w1", clock.now()) == {"pending": 1}
    clock.advance(seconds=61)
    assert outbox.work_once(session, "w1", clock.now()) == {"failed": 1}

    message = _message(session, message_id)
    assert message.attempts == 3
    assert "gave up after 3 attempts" in message.last_error and "busy" in message.last_error
    delivery = session.scalar(select(MessageDelivery))
    assert delivery.status == "failed" and delivery.errcode == -1 and delivery.attempts == 3
    assert standin.sent_messages(mp_appid) == []
    # nothing reached the citizen, so the grant is free again for a later message
    assert session.scalar(select(SubscriptionGrant.used_at)) is None


def test_a_retry_succeeds_with_the_same_grant(client, session, clock, app, login, standin, mp_appid):
    answer = login("fay")
    _grant(client, answer, app)
    message_id = _enqueue(session, clock, _citizen_id(session, answer))
    standin.fail_next("subscribe_send", "connection")
    assert outbox.work_once(session, "w1", clock.now()) == {"pending": 1}
    clock.advance(minutes=5)
    assert outbox.work_once(session, "w1", clock.now()) == {"sent": 1}
    assert len(standin.sent_messages(mp_appid)) == 1
    assert session.scalar(select(SubscriptionGrant.used_by_message_id)) == message_id


def test_an_unanswered_send_is_not_repeated(client, session, clock, app, login, standin, mp_appid):
    answer = login("gus")
    _grant(client, answer, app)
    message_id = _enqueue(session, clock, _citizen_id(session, answer))
    standin.fail_next("subscribe_send", "timeout")  # WeChat may have delivered it
    assert outbox.work_once(session, "w1", clock.now()) == {"failed": 1}
    assert "outcome unknown" in _message(session, message_id).last_error
    clock.advance(hours=2)
    assert outbox.work_once(session, "w1", clock.now()) == {}


def test_a_refused_subscription_spends_the_grant(client, session, clock, app, login, standin, mp_appid):
    answer = login("hal")
    _grant(client, answer, app)
    _enqueue(session, clock, _citizen_id(session, answer))
    standin.fail_next("subscribe_send", 43101)
    assert outbox.work_once(session, "w1", clock.now()) == {"failed": 1}
    assert session.scalar(select(SubscriptionGrant.used_at)) is not None
    assert session.scalar(select(MessageDelivery.errcode)) == 43101


def test_an_interrupted_attempt_is_never_sent_again(client, session, clock, app, login, standin, mp_appid):
    answer = login("ian")
    _grant(client, answer, app)
    message_id = _enqueue(session, clock, _citizen_id(session, answer))
    # a worker that took the grant and then died before recording WeChat's answer
    session.add(MessageDelivery(outbox_message_id=message_id, citizen_id=_citizen_id(session, answer),
                                event="booking_confirmed", status="sending", attempts=1, created_at=clock.now(),
                                updated_at=clock.now()))
    session.commit()
    # while that worker might still be waiting for WeChat, the message waits
    assert outbox.work_once(session, "w1", clock.now()) == {"pending": 1}
    clock.advance(minutes=10)
    assert outbox.work_once(session, "w1", clock.now()) == {"failed": 1}
    assert "interrupted" in _message(session, message_id).last_error
    assert standin.sent_messages(mp_appid) == []


def test_unknown_event_or_closed_account_is_recorded(client, session, clock, login, standin, mp_appid):
    answer = login("jo")
    citizen_id = _citizen_id(session, answer)
    bad = _enqueue(session, clock, citizen_id, event="birthday_greeting")
    assert client.delete("/api/v1/me", headers=bearer(answer)).status_code == 204
    closed = _enqueue(session, clock, citizen_id)
    assert outbox.work_once(session, "w1", clock.now()) == {"failed": 1, "skipped": 1}
    assert "unknown event" in _message(session, bad).last_error
    assert "closed" in _message(session, closed).last_error
    assert standin.sent_messages(mp_appid) == []


def test_every_event_has_a_template_and_fills_it(client, session, clock, app, login, standin, mp_appid):
    from wechat.settings import EVENTS

    answer = login("kim")
    for event in EVENTS:
        _grant(client, answer, app, event=event)
    citizen_id = _citizen_id(session, answer)
    for event in EVENTS:
        # (an application notice names its action: it decides the notice's priority for the grant)
        _enqueue(session, clock, citizen_id, event=event,
                 data={"action": "approve"} if event == "application_status_changed" else {})
    assert outbox.work_once(session, "w1", clock.now()) == {"sent": len(EVENTS)}
    sent = standin.sent_messages(mp_appid)
    assert len({m["template_id"] for m in sent}) == len(EVENTS)
    assert all(all(v["value"] for v in m["data"].values()) for m in sent)


@pytest.fixture
def deliver_after_commit(config_overrides):
    config_overrides["WECHAT_DELIVER_AFTER_COMMIT"] = True


def test_development_can_deliver_right_after_commit(deliver_after_commit, client, session, clock, app, login,
                                                     standin, mp_appid):
    answer = login("lea")
    _grant(client, answer, app)
    message_id = _enqueue(session, clock, _citizen_id(session, answer))  # the commit delivers
    assert len(standin.sent_messages(mp_appid)) == 1
    assert _message(session, message_id).status == "sent"


def test_redis_down_while_sending_is_retried_later(client, session, clock, app, login, standin, mp_appid,
                                                   monkeypatch):
    from redis.exceptions import ConnectionError as RedisConnectionError

    answer = login("max")
    _grant(client, answer, app)
    message_id = _enqueue(session, clock, _citizen_id(session, answer))
    gateway = app.extensions["wechat"]

    def redis_down(*args, **kwargs):
        raise RedisConnectionError("redis is down")

    monkeypatch.setattr(gateway.client.session, "get", redis_down)
    assert outbox.work_once(session, "w1", clock.now()) == {"pending": 1}
    monkeypatch.undo()
    clock.advance(minutes=5)
    assert outbox.work_once(session, "w1", clock.now()) == {"sent": 1}
    assert len(standin.sent_messages(mp_appid)) == 1
    assert _message(session, message_id).status == "sent"
