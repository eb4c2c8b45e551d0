"""The outbox delivery rule of the job engine against the WeChat stand-in: a
failing send is retried with back-off, then dead-lettered, listed by
`flask jobs status` and sent after `flask outbox retry`."""

from __future__ import annotations

from datetime import timedelta

from mobile_api import outbox
from mobile_api.jobs.registry import rule_named
from mobile_api.jobs.runs import run_period

from .test_wechat_delivery import _citizen_id, _grant, _message

REMINDER = {"item_name": "居民身份证换领（到期换证）", "time": "2026-11-27T01:30:00+00:00",
            "hall_name": "市民服务中心", "number": "A0012", "reminder": "day_before"}


def _deliver(app):
    return run_period(app, rule_named(app, "platform.outbox_delivery"), "test-worker", timedelta(minutes=10))


def test_a_reminder_failing_at_wechat_is_retried_then_dead_lettered_then_retried_by_hand(
        client, session, clock, app, login, standin, mp_appid):
    answer = login("hana")
    _grant(client, answer, app, event="booking_reminder")
    message = outbox.enqueue(session, outbox.CITIZEN_NOTIFY, {
        "citizen_id": _citizen_id(session, answer), "event": "booking_reminder", "data": REMINDER},
        clock.now(), delay=timedelta(hours=1), max_attempts=2)
    session.commit()
    standin.fail_next("subscribe_send", -1, "http500")

    assert _deliver(app).result == {}  # not due yet
    clock.advance(hours=1)
    assert _deliver(app).result == {"pending": 1}  # -1 system busy: try again later
    clock.advance(seconds=15)
    assert _deliver(app).result == {}  # backing off (30 s)
    clock.advance(seconds=15)
    outcome = _deliver(app)
    assert outcome.status == "done" and outcome.result == {"failed": 1}
    dead = _message(session, message.id)
    assert dead.status == "failed" and "gave up after 2 attempts" in dead.last_error
    assert standin.sent_messages(mp_appid) == []

    runner = app.test_cli_runner()
    status = runner.invoke(args=["jobs", "status"])
    assert f"message {message.id} citizen.notify attempts 2: gave up after 2 attempts" in status.output
    assert "dead outbox messages: 1" in status.output
    # the failed message gave its subscription grant back, so the copy can use it
    retried = runner.invoke(args=["outbox", "retry", str(message.id)])
    assert retried.exit_code == 0, retried.output
    old = _message(session, message.id)
    assert old.status == "retried" and f"sent again as message {old.result['retried_as']}" in retried.output
    assert "dead outbox messages: 0" in runner.invoke(args=["jobs", "status"]).output

    clock.advance(seconds=15)
    assert _deliver(app).result == {"sent": 1}
    assert _message(session, old.result["retried_as"]).status == "sent"
    [sent] = standin.sent_messages(mp_appid)
    assert sent["template_id"] == app.config["WECHAT_TEMPLATE_BOOKING_REMINDER"]
    # sent stays sent: a second retry is refused and nothing is sent twice
    assert runner.invoke(args=["outbox", "retry", str(message.id)]).exit_code == 2
    clock.advance(seconds=15)
    assert _deliver(app).result == {}
    assert len(standin.sent_messages(mp_appid)) == 1
