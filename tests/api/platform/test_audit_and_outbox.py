from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from mobile_api import audit, outbox
from mobile_api.actor import SYSTEM
from mobile_api.outbox import DeliveryOutcome, OutboxMessage, PermanentFailure


def test_audit_log_is_append_only(session, clock):
    entry = audit.record(session, SYSTEM, "test.thing", "thing", 1, at=clock.now())
    session.commit()
    with pytest.raises(DBAPIError):
        with session.begin_nested():
            session.execute(text("UPDATE audit_log SET action = 'forged' WHERE id = :id"), {"id": entry.id})
    with pytest.raises(DBAPIError):
        with session.begin_nested():
            session.execute(text("DELETE FROM audit_log WHERE id = :id"), {"id": entry.id})
    assert session.get(audit.AuditEntry, entry.id).action == "test.thing"


def test_audit_log_lists_newest_first_with_pagination(client, make, session, clock):
    admin = make.staff(role="admin")
    for i in range(5):
        audit.record(session, SYSTEM, "test.page", "page", i, at=clock.now())
    session.commit()
    response = client.get("/api/v1/admin/audit-log?action=test.page&page=1&page_size=2", headers=make.headers(admin))
    assert response.status_code == 200
    assert [e["object_id"] for e in response.json] == ["4", "3"]
    import json

    meta = json.loads(response.headers["X-Pagination"])
    assert meta["total"] == 5 and meta["total_pages"] == 3 and meta["next_page"] == 2


def test_list_endpoints_refuse_unknown_filters_and_bad_page_sizes(client, make):
    headers = make.headers(make.staff(role="admin"))
    assert client.get("/api/v1/admin/audit-log?colour=red", headers=headers).status_code == 422
    assert client.get("/api/v1/admin/audit-log?page_size=1000", headers=headers).status_code == 422
    assert client.get("/api/v1/admin/audit-log?page=0", headers=headers).status_code == 422


@pytest.mark.parametrize("query, field", [
    ("action=%00", "action"), ("object_type=a%00", "object_type"), ("object_id=%001", "object_id"),
    ("principal_id=9223372036854775808", "principal_id"), ("principal_id=0", "principal_id"),
])
def test_audit_log_filters_no_entry_can_match_are_a_422(client, make, query, field):
    # NUL was a 500 on PostgreSQL (text parameters cannot hold it); principal_id
    # beyond 64 bits was a 500 (the driver refuses it).
    response = client.get(f"/api/v1/admin/audit-log?{query}", headers=make.headers(make.staff(role="admin")))
    assert response.status_code == 422 and response.content_type == "application/problem+json"
    assert field in response.json["errors"]


@pytest.fixture
def handler():
    calls = []
    behaviour = {"mode": "ok"}

    def deliver(session, message, now):
        calls.append(message.id)
        if behaviour["mode"] == "flaky":
            raise ConnectionError("network down")
        if behaviour["mode"] == "permanent":
            raise PermanentFailure("template rejected")
        return DeliveryOutcome("sent", result={"msgid": message.id})

    outbox.register_handler("test.topic", deliver)
    yield calls, behaviour
    outbox._HANDLERS.pop("test.topic", None)


def test_outbox_delivers_once_and_records_the_outcome(session, clock, handler):
    calls, _ = handler
    message = outbox.enqueue(session, "test.topic", {"x": 1}, clock.now(), dedupe_key="m1")
    assert outbox.enqueue(session, "test.topic", {"x": 1}, clock.now(), dedupe_key="m1") is None
    session.commit()
    assert outbox.work_once(session, "w1", clock.now()) == {"sent": 1}
    assert outbox.work_once(session, "w1", clock.now()) == {}
    assert calls == [message.id]
    stored = session.get(OutboxMessage, message.id)
    assert stored.status == "sent" and stored.result == {"msgid": message.id}


def test_outbox_retries_with_backoff_then_gives_up_with_the_reason(session, clock, handler):
    calls, behaviour = handler
    behaviour["mode"] = "flaky"
    message = outbox.enqueue(session, "test.topic", {}, clock.now(), max_attempts=3)
    session.commit()
    assert outbox.work_once(session, "w1", clock.now()) == {"pending": 1}
    assert outbox.work_once(session, "w1", clock.now()) == {}  # backing off
    clock.advance(seconds=31)
    assert outbox.work_once(session, "w1", clock.now()) == {"pending": 1}
    clock.advance(seconds=61)
    assert outbox.work_once(session, "w1", clock.now()) == {"failed": 1}
    stored = session.get(OutboxMessage, message.id)
    assert stored.status == "failed" and "gave up after 3 attempts" in stored.last_error
    assert len(calls) == 3


def test_permanent_failure_is_not_retried(session, clock, handler):
    _, behaviour = handler
    behaviour["mode"] = "permanent"
    message = outbox.enqueue(session, "test.topic", {}, clock.now())
    session.commit()
    assert outbox.work_once(session, "w1", clock.now()) == {"failed": 1}
    assert session.get(OutboxMessage, message.id).last_error == "template rejected"


def test_delayed_message_waits_until_due(session, clock, handler):
    calls, _ = handler
    outbox.enqueue(session, "test.topic", {}, clock.now(), delay=timedelta(hours=1))
    session.commit()
    assert outbox.work_once(session, "w1", clock.now()) == {}
    clock.advance(hours=1)
    assert outbox.work_once(session, "w1", clock.now()) == {"sent": 1}


def test_a_topic_nobody_delivers_waits_instead_of_failing(session, clock, handler):
    calls, _ = handler
    waiting = outbox.enqueue(session, "nobody.delivers.this", {}, clock.now())
    session.commit()
    for _ in range(8):
        clock.advance(hours=2)
        outbox.work_once(session, "w1", clock.now())
    stored = session.get(OutboxMessage, waiting.id)
    assert stored.status == "pending" and stored.attempts == 0
    assert calls == []


def test_only_the_platform_admin_reads_the_audit_log(client, make):
    for admin in (make.staff("admin", department_code="gongan"), make.staff("admin", hall_id=1)):
        answer = client.get("/api/v1/admin/audit-log", headers=make.headers(admin))
        assert answer.status_code == 403 and answer.json["code"] == "auth.forbidden"
    assert client.get("/api/v1/admin/audit-log", headers=make.headers(make.staff("admin"))).status_code == 200
