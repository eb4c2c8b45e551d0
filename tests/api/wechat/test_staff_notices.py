"""Staff notices (`staff.notify`): through the job engine's outbox rule into
every recipient's inbox and, for staff who bound a 企业微信 member id, to the
WeCom stand-in; retries, the dead letter and the counts of what nobody saw."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from identity.models import StaffUser
from mobile_api import outbox
from mobile_api.audit import AuditEntry
from mobile_api.jobs.registry import rule_named
from mobile_api.jobs.runs import run_period
from wechat.work.models import StaffNotice
from wechat.work.notices import EVENT_KINDS
from wechat.work.standin import WeComStandInControl

# One payload per kind, shaped as its producer writes it.
KINDS = {
    "case_urged": {"department_code": "gongan", "data": {"case_id": 7, "state": "dispatched",
                                                         "reply_due_at": "2026-11-27T16:00:00+00:00"}},
    "case_dispatched": {"department_code": "gongan", "data": {"case_id": 8, "kind_text": "投诉",
                                                              "reply_due_at": "2026-12-03T16:00:00+00:00"}},
    "application_warning": {"department_code": "gongan", "data": {
        "application_id": 3, "item_code": "440100000001", "item_name": "居民身份证换领",
        "promised_due_date": "2026-11-30"}},
    "application_overdue": {"department_code": "gongan", "data": {
        "application_id": 4, "item_code": "440100000001", "item_name": "居民身份证换领",
        "promised_due_date": "2026-11-25"}},
    "rectification_opened": {"department_code": "gongan", "data": {
        "rectification_id": 5, "callback_due_at": "2026-11-27T16:00:00+00:00",
        "due_at": "2026-12-03T16:00:00+00:00"}},
    "rectification_overdue": {"department_code": None, "hall_id": 1, "data": {
        "rectification_id": 6, "hall_id": 1, "due_at": "2026-11-25T16:00:00+00:00"}},
    "waiting_warning": {"hall_id": 1, "data": {"hall_name": "市民服务中心", "number": "A012",
                                                  "waited_minutes": 45, "limit_minutes": 30}},
}


@pytest.fixture
def wecom(app):
    return WeComStandInControl(app.extensions["redis"])


def _deliver(app):
    return run_period(app, rule_named(app, "platform.outbox_delivery"), "test-worker", timedelta(minutes=10))


def _notify(session, clock, event, spec, **kw):
    payload = {key: value for key, value in spec.items() if key != "data"}
    message = outbox.enqueue(session, "staff.notify", dict(payload, event=event, data=spec["data"]), clock.now(),
                             **kw)
    session.commit()
    return message


def _bind(make, session, staff, userid):
    staff.wecom_userid = userid
    session.commit()
    return staff


def test_every_staff_notify_kind_reaches_the_wecom_standin_through_the_job_engine(app, session, clock, make, wecom):
    assert set(KINDS) == set(EVENT_KINDS)
    dept_admin = _bind(make, session, make.staff("admin", "gongan", None), "gongan.chief")
    hall_admin = _bind(make, session, make.staff("admin", None, 1), "hall1.chief")
    make.staff("approver", "gongan", None)  # not an admin: the department's admins get the notice
    messages = {event: _notify(session, clock, event, spec) for event, spec in KINDS.items()}

    outcome = _deliver(app)
    assert outcome.status == "done" and outcome.result == {"sent": len(KINDS)}
    sent = wecom.sent_messages()
    assert len(sent) == len(KINDS)
    by_user = {"gongan.chief": wecom.received_by("gongan.chief"), "hall1.chief": wecom.received_by("hall1.chief")}
    assert len(by_user["gongan.chief"]) == 5 and len(by_user["hall1.chief"]) == 2
    texts = " ".join(m["text"]["content"] for m in sent)
    for title in ("【催办】", "【新派单】", "【电子监察黄牌】", "【电子监察红牌】", "【差评整改】", "【整改超期】", "【等候超时】"):
        assert title in texts
    assert "2026-11-28 00:00" in texts  # times in Beijing time
    assert all(m["agentid"] == 1000002 and m["msgtype"] == "text" for m in sent)
    # every notice is in its recipients' inboxes too, marked sent
    rows = session.scalars(select(StaffNotice).order_by(StaffNotice.id)).all()
    assert {(r.staff_id, r.event) for r in rows} == (
        {(dept_admin.id, e) for e, s in KINDS.items() if s.get("department_code")}
        | {(hall_admin.id, e) for e, s in KINDS.items() if not s.get("department_code")})
    assert all(r.wecom_status == "sent" for r in rows)
    session.expire_all()
    assert all(session.get(outbox.OutboxMessage, m.id).status == "sent" for m in messages.values())
    # the handler given the same message again (a lease taken over) adds nobody and sends nothing
    handler = outbox.handler_for("staff.notify")
    again = handler(session, session.get(outbox.OutboxMessage, messages["case_urged"].id), clock.now())
    assert again.status == "sent" and again.result["wecom"] == 0
    assert session.query(StaffNotice).count() == len(rows) and len(wecom.sent_messages()) == len(KINDS)


def test_unbound_staff_read_their_notices_in_the_inbox(app, client, session, clock, make, wecom):
    clerk = make.staff("clerk", None, 1)
    other = make.staff("clerk", None, 2)
    _notify(session, clock, "waiting_warning", {"hall_id": 1, "data": KINDS["waiting_warning"]["data"]},)
    _notify(session, clock, "something_new", {"staff_ids": [clerk.id], "data": {"note": "x"}})
    assert _deliver(app).result == {"sent": 2}
    assert wecom.sent_messages() == []
    headers = make.headers(clerk)

    listed = client.get("/api/v1/staff/notices", headers=headers)
    assert listed.status_code == 200 and listed.headers["X-Pagination"]
    assert [n["event"] for n in listed.json] == ["something_new", "waiting_warning"]
    assert listed.json[1]["title"] == "等候超时" and "A012" in listed.json[1]["body"]
    assert listed.json[0]["title"] == "工作通知" and listed.json[0]["wecom_status"] == "unbound"
    assert client.get("/api/v1/staff/notices/unread-count", headers=headers).json == {"unread": 2}

    first = listed.json[1]["id"]
    assert client.post(f"/api/v1/staff/notices/{first}/read", headers=headers).json["read_at"]
    assert client.get("/api/v1/staff/notices?unread=true", headers=headers).json[0]["event"] == "something_new"
    # someone else's notice is not found; nothing changes
    stranger = client.post(f"/api/v1/staff/notices/{listed.json[0]['id']}/read", headers=make.headers(other))
    assert stranger.status_code == 404 and stranger.json["code"] == "wechat.notice_not_found"
    assert client.get("/api/v1/staff/notices/unread-count", headers=headers).json == {"unread": 1}
    assert client.post("/api/v1/staff/notices/read-all", headers=headers).json == {"marked": 1}
    assert client.get("/api/v1/staff/notices/unread-count", headers=headers).json == {"unread": 0}
    assert client.get("/api/v1/staff/notices", headers=make.headers(make.citizen())).status_code == 403
    assert client.get("/api/v1/staff/notices?unread=maybe", headers=headers).status_code == 422


def test_wecom_failures_are_retried_then_dead_lettered_and_counted_as_unseen(app, session, clock, make, wecom):
    _bind(make, session, make.staff("admin", "gongan", None), "gongan.chief")
    message = _notify(session, clock, "case_urged", KINDS["case_urged"], max_attempts=2)
    wecom.fail_next("message_send", -1, "timeout")

    assert _deliver(app).result == {"pending": 1}  # busy: back off, but the inbox already has it
    [row] = session.scalars(select(StaffNotice)).all()
    assert row.wecom_status == "pending"
    runner = app.test_cli_runner()
    status = runner.invoke(args=["jobs", "status"]).output
    assert "staff notices undelivered: 1 waiting in the outbox, 0 dead-lettered, 1 unread" in status
    clock.advance(seconds=30)
    assert _deliver(app).result == {"failed": 1}
    session.expire_all()
    assert session.get(StaffNotice, row.id).wecom_status == "failed"
    dead = session.get(outbox.OutboxMessage, message.id)
    assert dead.status == "failed" and "gave up after 2 attempts" in dead.last_error
    status = runner.invoke(args=["jobs", "status"]).output
    assert "staff notices undelivered: 0 waiting in the outbox, 1 dead-lettered, 1 unread" in status
    metrics = client_metrics(app)
    assert 'fingertip_staff_notices_undelivered{state="outbox_failed"} 1.0' in metrics
    assert 'fingertip_staff_notices_undelivered{state="inbox_unseen"} 1.0' in metrics

    # an operator's retry sends it; the retry's inbox row is new, so the member gets it once more
    assert runner.invoke(args=["outbox", "retry", str(message.id)]).exit_code == 0
    clock.advance(seconds=15)
    assert _deliver(app).result == {"sent": 1}
    assert len(wecom.received_by("gongan.chief")) == 1


def client_metrics(app) -> str:
    return app.test_client().get("/metrics").get_data(as_text=True)


def test_a_member_wecom_does_not_know_is_marked_failed_and_the_rest_are_sent(app, session, clock, make, wecom):
    good = _bind(make, session, make.staff("admin", "gongan", None), "gongan.chief")
    bad = _bind(make, session, make.staff("admin", "gongan", None), "invalid.member")
    _notify(session, clock, "case_urged", KINDS["case_urged"])
    assert _deliver(app).result == {"sent": 1}
    statuses = {r.staff_id: r.wecom_status for r in session.scalars(select(StaffNotice))}
    assert statuses == {good.id: "sent", bad.id: "failed"}
    assert wecom.sent_messages()[0]["touser"] == "gongan.chief"


def test_a_notice_for_a_department_without_staff_goes_to_the_platform_admins(app, session, clock, make):
    admin = make.staff("admin", None, None)
    _notify(session, clock, "case_urged", dict(KINDS["case_urged"], department_code="canlian"))
    assert _deliver(app).result == {"sent": 1}
    assert [r.staff_id for r in session.scalars(select(StaffNotice))] == [admin.id]


# -- binding a WeCom member id ---------------------------------------------------

def test_staff_bind_wecom_themselves_or_through_their_admin_audited(client, session, make):
    clerk = make.staff("clerk", "gongan", 1)
    own = client.put("/api/v1/identity/me/wecom", json={"wecom_userid": "zhang.san"}, headers=make.headers(clerk))
    assert own.status_code == 200 and own.json["wecom_userid"] == "zhang.san"
    dept_admin = make.staff("admin", "gongan", None)
    moved = client.put(f"/api/v1/identity/staff/{clerk.id}/wecom", json={"wecom_userid": "zhangsan2"},
                       headers=make.headers(dept_admin))
    assert moved.status_code == 200 and moved.json["wecom_userid"] == "zhangsan2"
    entries = session.scalars(select(AuditEntry).where(AuditEntry.action.like("staff.wecom%"))
                              .order_by(AuditEntry.id)).all()
    assert [(e.action, e.details["previous"], e.details["wecom_userid"]) for e in entries] == [
        ("staff.wecom_bind", None, "zhang.san"), ("staff.wecom_bind", "zhang.san", "zhangsan2")]

    other = make.staff("approver", "renshe", None)
    taken = client.put("/api/v1/identity/me/wecom", json={"wecom_userid": "zhangsan2"}, headers=make.headers(other))
    assert taken.status_code == 409 and taken.json["code"] == "identity.wecom_userid_taken"
    bad = client.put("/api/v1/identity/me/wecom", json={"wecom_userid": "张 三"}, headers=make.headers(other))
    assert bad.status_code == 422 and bad.json["code"] == "identity.invalid_wecom_userid"
    foreign = client.put(f"/api/v1/identity/staff/{other.id}/wecom", json={"wecom_userid": "x1"},
                         headers=make.headers(dept_admin))
    assert foreign.status_code == 403
    assert _wecom_of(session, other.id) is None

    gone = client.delete("/api/v1/identity/me/wecom", headers=make.headers(clerk))
    assert gone.status_code == 200 and gone.json["wecom_userid"] is None
    assert client.put("/api/v1/identity/me/wecom", json={"wecom_userid": "c"},
                      headers=make.headers(make.citizen())).status_code == 403


def _wecom_of(session, staff_id):
    return session.scalar(select(StaffUser.wecom_userid).where(StaffUser.id == staff_id)
                          .execution_options(populate_existing=True))


def test_the_cli_binds_and_unbinds(app, session, make):
    clerk = make.staff("clerk", None, 1, username="li.si")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["staff", "wecom", "li.si", "lisi"])
    assert result.exit_code == 0 and "wecom lisi" in result.output
    assert runner.invoke(args=["staff", "wecom", "li.si", "--unbind"]).exit_code == 0
    assert runner.invoke(args=["staff", "wecom", "li.si"]).exit_code == 2
    assert _wecom_of(session, clerk.id) is None


def test_admins_list_and_search_the_staff_they_may_see(client, make):
    chen = make.staff("clerk", "gongan", 1, username="chen.clerk")
    make.staff("approver", "renshe", None, username="wang.approver")
    hall_two = make.staff("clerk", None, 2, username="zhao.clerk")
    platform = make.headers(make.staff("admin", None, None))
    everyone = client.get("/api/v1/identity/staff?page_size=100", headers=platform)
    assert everyone.status_code == 200 and len(everyone.json) >= 4
    assert [s["username"] for s in client.get("/api/v1/identity/staff?q=CHEN", headers=platform).json] == [
        "chen.clerk"]
    assert client.get("/api/v1/identity/staff?q=%25", headers=platform).json == []  # LIKE wildcards are literal
    gongan_admin = make.headers(make.staff("admin", "gongan", None))
    seen = {s["username"] for s in client.get("/api/v1/identity/staff", headers=gongan_admin).json}
    assert "chen.clerk" in seen and "wang.approver" not in seen
    hall_admin = make.headers(make.staff("admin", None, 2))
    assert [s["id"] for s in client.get("/api/v1/identity/staff?role=clerk", headers=hall_admin).json] == [
        hall_two.id]
    assert client.get("/api/v1/identity/staff", headers=make.headers(chen)).status_code == 403
    assert client.get("/api/v1/identity/staff?role=boss", headers=platform).status_code == 422


def test_a_real_dispatch_reaches_the_department_admins_wecom(app, client, session, clock, make, wecom):
    """From the producer's own transaction to the stand-in: 派单 through the API, then the job engine."""
    _bind(make, session, make.staff("admin", "renshe", None), "renshe.chief")
    citizen = make.citizen()
    case = client.post("/api/v1/cases", json={"kind": "complaint", "category": "conduct.attitude",
                                              "text": "窗口工作人员态度不好"}, headers=make.headers(citizen))
    assert case.status_code == 201, case.json
    dispatcher = make.headers(make.staff("admin", None, None))
    dispatched = client.post(f"/api/v1/staff/cases/{case.json['id']}/dispatch", json={"department_code": "renshe"},
                             headers=dispatcher)
    assert dispatched.status_code == 200, dispatched.json
    assert _deliver(app).result.get("sent") == 1
    [message] = wecom.received_by("renshe.chief")
    assert message["text"]["content"].startswith(f"【新派单】诉求 #{case.json['id']}（投诉）已派至本部门")
