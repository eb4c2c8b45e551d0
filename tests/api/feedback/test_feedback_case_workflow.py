"""A case through every path: dispatch, transfer, return, reply, satisfaction,
reopen, extension, overdue and urge, duplicates, and a race between staff."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from feedback.models import FeedbackCase, FeedbackCaseEvent
from feedback.rules import Rules
from mobile_api.audit import entries_for
from mobile_api.outbox import OutboxMessage

from .conftest import act, dispatched_case, submit, sweep


def _timeline(case):
    return [entry["action"] for entry in case["timeline"]]


def test_submit_sets_reply_deadline_in_working_days(client, people):
    consultation = submit(client, people, kind="consultation", category="service.process", text="怎么办居住证？")
    complaint = submit(client, people, kind="complaint", text="排队两小时没人管")
    # Thursday 2026-11-26 09:00: 1 working day → end of Friday; 5 → end of next Thursday (Shanghai).
    assert consultation["reply_due_at"] == "2026-11-27T16:00:00+00:00"
    assert complaint["reply_due_at"] == "2026-12-03T16:00:00+00:00"
    assert consultation["state"] == "submitted" and _timeline(consultation) == ["submitted"]


def test_dispatch_reply_satisfied_closes_and_notifies(client, people, db):
    case = dispatched_case(client, people)
    assert case["state"] == "dispatched" and case["department_code"] == "gongan"
    # The department sees it in its queue; another department does not.
    queue = client.get("/api/v1/staff/cases", headers=people.h(people.gongan)).json
    assert [c["id"] for c in queue] == [case["id"]]
    assert client.get("/api/v1/staff/cases", headers=people.h(people.renshe)).json == []
    assert client.get(f"/api/v1/staff/cases/{case['id']}", headers=people.h(people.renshe)).status_code == 404

    replied = act(client, people, people.gongan, case["id"], "reply", {"text": "已核实并批评教育当事人"})
    assert replied["state"] == "replied"
    notice = db.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key.like("feedback.case_replied:%"))).one()
    assert notice.payload == {"citizen_id": people.citizen.id, "event": "case_replied",
                              "data": {"case_id": case["id"], "kind": "complaint",
                                       "replied_at": "2026-11-26T01:00:00+00:00", "title": "您的投诉",
                                       "status_text": "已答复", "summary": "已核实并批评教育当事人"}}

    done = client.post(f"/api/v1/cases/{case['id']}/satisfaction", json={"satisfaction": "satisfied"},
                       headers=people.h(people.citizen))
    assert done.status_code == 200 and done.json["state"] == "closed" and done.json["satisfaction"] == "satisfied"
    assert _timeline(done.json) == ["submitted", "dispatched", "replied", "satisfaction", "closed"]
    invitation = db.scalars(select(OutboxMessage).where(
        OutboxMessage.dedupe_key == f"feedback.rating_invitation:case:{case['id']}")).one()
    assert invitation.payload["event"] == "rating_invitation"
    assert invitation.payload["data"]["event_kind"] == "case" and invitation.payload["data"]["id"] == case["id"]
    assert invitation.payload["data"]["rate_before"] == "2026-12-03T01:00:00+00:00"  # 7 days
    actions = [e.action for e in entries_for(db, "feedback_case", case["id"])]
    assert actions == ["feedback.case_submit", "feedback.case_dispatch", "feedback.case_reply",
                       "feedback.case_close"]


def test_transfer_moves_case_with_reason_and_keeps_deadline(client, people):
    case = dispatched_case(client, people)
    moved = act(client, people, people.gongan, case["id"], "transfer",
                {"department_code": "renshe", "reason": "属于社保业务"})
    assert moved["department_code"] == "renshe" and moved["reply_due_at"] == case["reply_due_at"]
    assert moved["timeline"][-1]["action"] == "transferred" and moved["timeline"][-1]["note"] == "属于社保业务"
    # Now gongan cannot act, renshe can.
    act(client, people, people.gongan, case["id"], "reply", {"text": "x"}, expect=404)
    act(client, people, people.renshe, case["id"], "reply", {"text": "已处理"})


def test_transfer_needs_reason_and_a_real_other_department(client, people):
    case = dispatched_case(client, people)
    act(client, people, people.gongan, case["id"], "transfer", {"department_code": "renshe"}, expect=422)
    act(client, people, people.gongan, case["id"], "transfer",
        {"department_code": "nowhere", "reason": "x"}, expect=422)
    act(client, people, people.gongan, case["id"], "transfer",
        {"department_code": "gongan", "reason": "x"}, expect=422)


def test_return_goes_back_to_dispatcher_who_redispatches(client, people):
    case = dispatched_case(client, people)
    back = act(client, people, people.gongan, case["id"], "return", {"reason": "不属于公安职责"})
    assert back["state"] == "returned" and back["department_code"] is None
    waiting = client.get("/api/v1/staff/cases", headers=people.h(people.dispatcher)).json
    assert [c["id"] for c in waiting] == [case["id"]]
    again = act(client, people, people.dispatcher, case["id"], "dispatch", {"department_code": "shichang"})
    assert again["state"] == "dispatched" and again["department_code"] == "shichang"
    assert _timeline(again) == ["submitted", "dispatched", "returned", "dispatched"]


def test_only_the_dispatcher_dispatches(client, people):
    case = submit(client, people)
    department_admin = people.make.staff("admin", "renshe", 1)
    act(client, people, department_admin, case["id"], "dispatch", {"department_code": "gongan"}, expect=403)
    act(client, people, people.gongan, case["id"], "dispatch", {"department_code": "gongan"}, expect=403)
    act(client, people, people.dispatcher, case["id"], "dispatch", {"department_code": "gongan"})
    # A second dispatch of the same case is a state conflict.
    act(client, people, people.dispatcher, case["id"], "dispatch", {"department_code": "renshe"}, expect=409)


def test_extension_requested_before_the_limit_and_approved(client, people):
    case = dispatched_case(client, people)
    asked = act(client, people, people.gongan, case["id"], "extend", {"days": 3, "reason": "需要调取监控"})
    assert asked["extension_status"] == "pending"
    act(client, people, people.gongan, case["id"], "extend", {"days": 3, "reason": "again"}, expect=409)
    act(client, people, people.gongan, case["id"], "extend/decision", {"approve": True}, expect=403)
    approved = act(client, people, people.dispatcher, case["id"], "extend/decision", {"approve": True})
    # Was end of Thu 2026-12-03; + 3 working days → end of Tue 2026-12-08.
    assert approved["extension_status"] == "approved"
    assert approved["reply_due_at"] == "2026-12-08T16:00:00+00:00"
    # Only one extension per case by default.
    refused = client.post(f"/api/v1/staff/cases/{case['id']}/extend", json={"days": 1, "reason": "再延"},
                          headers=people.h(people.gongan))
    assert refused.status_code == 409 and refused.json["code"] == "feedback.extension_limit"


def test_extension_refused_after_the_limit_and_rejection_keeps_deadline(client, people, clock):
    case = dispatched_case(client, people)
    act(client, people, people.gongan, case["id"], "extend", {"days": 2, "reason": "需要现场核查"})
    rejected = act(client, people, people.dispatcher, case["id"], "extend/decision", {"approve": False})
    assert rejected["extension_status"] == "rejected" and rejected["reply_due_at"] == case["reply_due_at"]
    clock.set(datetime(2026, 12, 3, 16, 0, tzinfo=timezone.utc))  # the limit has just run out
    late = client.post(f"/api/v1/staff/cases/{case['id']}/extend", json={"days": 2, "reason": "来不及"},
                       headers=people.h(people.gongan))
    assert late.status_code == 409 and late.json["code"] == "feedback.extension_too_late"
    act(client, people, people.gongan, case["id"], "extend", {"days": 99, "reason": "x"}, expect=422)


def test_overdue_cases_are_flagged_and_urged_once_a_day(client, people, db, clock, app):
    case = dispatched_case(client, people, kind="consultation", category="service.process", text="社保怎么转？")
    other = dispatched_case(client, people, text="另一件投诉")  # due much later
    rules = Rules.from_config(app.config)
    assert sweep(db, clock, rules)["cases_flagged_overdue"] == 0
    clock.set(datetime(2026, 11, 27, 16, 0, tzinfo=timezone.utc))  # end of Friday in Shanghai
    first = sweep(db, clock, rules)
    assert first["cases_flagged_overdue"] == 1 and first["cases_urged"] == 1
    second = sweep(db, clock, rules)  # idempotent the same day
    assert second["cases_flagged_overdue"] == 0 and second["cases_urged"] == 0
    notices = db.scalars(select(OutboxMessage).where(OutboxMessage.topic == "staff.notify")
                         .order_by(OutboxMessage.id)).all()
    # each dispatch told the department (新派单), then the overdue one was urged once
    assert [(n.payload["event"], n.payload["data"]["case_id"]) for n in notices] == [
        ("case_dispatched", case["id"]), ("case_dispatched", other["id"]), ("case_urged", case["id"])]
    clock.advance(days=1)  # next day: urged again, not flagged again
    third = sweep(db, clock, rules)
    assert third["cases_flagged_overdue"] == 0 and third["cases_urged"] == 1
    seen = client.get("/api/v1/staff/cases?overdue=true", headers=people.h(people.gongan)).json
    assert [c["id"] for c in seen] == [case["id"]] and seen[0]["urge_count"] == 2 and seen[0]["overdue"] is True
    assert "timeline" not in seen[0]  # lists stay light; the detail has it
    detail = client.get(f"/api/v1/staff/cases/{case['id']}", headers=people.h(people.gongan)).json
    assert _timeline(detail)[-3:] == ["overdue", "urged", "urged"]
    assert db.get(FeedbackCase, other["id"]).overdue_at is None


def test_unsatisfied_reopens_once_then_closes(client, people):
    case = dispatched_case(client, people)
    act(client, people, people.gongan, case["id"], "reply", {"text": "第一次答复"})
    reopened = client.post(f"/api/v1/cases/{case['id']}/satisfaction",
                           json={"satisfaction": "unsatisfied", "comment": "没解决"}, headers=people.h(people.citizen))
    assert reopened.json["state"] == "dispatched" and reopened.json["reopen_count"] == 1
    assert reopened.json["department_code"] == "gongan"
    act(client, people, people.gongan, case["id"], "reply", {"text": "第二次答复"})
    final = client.post(f"/api/v1/cases/{case['id']}/satisfaction", json={"satisfaction": "unsatisfied"},
                        headers=people.h(people.citizen))
    assert final.json["state"] == "closed" and final.json["satisfaction"] == "unsatisfied"
    assert _timeline(final.json).count("reopened") == 1


def test_reopen_endpoint_once_only(client, people):
    case = dispatched_case(client, people)
    early = client.post(f"/api/v1/cases/{case['id']}/reopen", json={"reason": "还没答复"},
                        headers=people.h(people.citizen))
    assert early.status_code == 409
    act(client, people, people.gongan, case["id"], "reply", {"text": "答复"})
    ok = client.post(f"/api/v1/cases/{case['id']}/reopen", json={"reason": "答非所问"}, headers=people.h(people.citizen))
    assert ok.status_code == 200 and ok.json["state"] == "dispatched"
    act(client, people, people.gongan, case["id"], "reply", {"text": "再次答复"})
    twice = client.post(f"/api/v1/cases/{case['id']}/reopen", json={"reason": "还是不行"},
                        headers=people.h(people.citizen))
    assert twice.status_code == 409 and twice.json["code"] == "feedback.reopen_used"
    other = client.post(f"/api/v1/cases/{case['id']}/reopen", json={"reason": "x"},
                        headers=people.h(people.other_citizen))
    assert other.status_code == 404


def test_replied_case_without_verdict_is_closed_by_the_sweep(client, people, db, clock, app):
    case = dispatched_case(client, people)
    act(client, people, people.gongan, case["id"], "reply", {"text": "答复"})
    clock.advance(days=7)
    counts = sweep(db, clock, Rules.from_config(app.config))
    assert counts["cases_closed_without_verdict"] == 1
    assert sweep(db, clock, Rules.from_config(app.config))["cases_closed_without_verdict"] == 0
    closed = client.get(f"/api/v1/cases/{case['id']}", headers=people.h(people.citizen)).json
    assert closed["state"] == "closed" and closed["satisfaction"] is None


def test_same_thing_twice_within_a_day_is_linked(client, people, clock):
    first = submit(client, people, text="路灯坏了  没人修")
    second = submit(client, people, text="路灯坏了 没人修")  # whitespace differs only
    assert second["state"] == "merged" and second["duplicate_of_id"] == first["id"]
    other_person = submit(client, people, text="路灯坏了 没人修", who=people.other_citizen)
    assert other_person["duplicate_of_id"] is None
    clock.advance(hours=25)
    later = submit(client, people, text="路灯坏了 没人修")
    assert later["duplicate_of_id"] is None and later["state"] == "submitted"


def test_second_staff_acting_on_the_same_case_gets_409(client, people, db):
    case = dispatched_case(client, people)
    act(client, people, people.gongan, case["id"], "reply", {"text": "答复一"})
    loser = client.post(f"/api/v1/staff/cases/{case['id']}/reply", json={"text": "答复二"},
                        headers=people.h(people.gongan2))
    assert loser.status_code == 409 and loser.json["code"] == "feedback.case_state_conflict"
    assert db.get(FeedbackCase, case["id"]).reply_text == "答复一"
    assert db.scalar(select(func.count()).select_from(FeedbackCaseEvent)
                          .where(FeedbackCaseEvent.case_id == case["id"], FeedbackCaseEvent.action == "replied")) == 1


def test_citizen_lists_and_reads_only_own_cases(client, people):
    mine = submit(client, people)
    submit(client, people, text="别人的", who=people.other_citizen)
    listed = client.get("/api/v1/cases", headers=people.h(people.citizen))
    assert [c["id"] for c in listed.json] == [mine["id"]] and "X-Pagination" in listed.headers
    assert client.get(f"/api/v1/cases/{mine['id']}", headers=people.h(people.other_citizen)).status_code == 404
    assert client.get("/api/v1/cases/options").json["reply_days"]["consultation"] == 1


def test_default_rating_is_off_by_default(client, people, db, clock, app):
    case = dispatched_case(client, people)
    act(client, people, people.gongan, case["id"], "reply", {"text": "答复"})
    client.post(f"/api/v1/cases/{case['id']}/satisfaction", json={"satisfaction": "satisfied"},
                headers=people.h(people.citizen))
    clock.advance(days=30)
    assert sweep(db, clock, Rules.from_config(app.config))["default_ratings"] == 0


def test_flask_feedback_sweep_command_flags_and_is_idempotent(client, people, app, clock, db):
    case = dispatched_case(client, people, kind="help", category="facilities.accessibility", text="轮椅坡道坏了")
    clock.set(datetime(2026, 11, 27, 16, 0, tzinfo=timezone.utc))
    runner = app.test_cli_runner()
    first = runner.invoke(args=["feedback", "sweep"])
    assert first.exit_code == 0, first.output
    assert "cases_flagged_overdue=1" in first.output and "cases_urged=1" in first.output
    second = runner.invoke(args=["feedback", "sweep"])
    assert "cases_flagged_overdue=0" in second.output and "cases_urged=0" in second.output
    db.expire_all()
    assert db.get(FeedbackCase, case["id"]).overdue_at is not None


def test_case_submission_replays_with_the_same_idempotency_key(client, people, db):
    headers = people.h(people.citizen, **{"Idempotency-Key": "case-key-0001"})
    body = {"kind": "suggestion", "category": "facilities.hall_environment", "text": "大厅增加座椅"}
    first = client.post("/api/v1/cases", json=body, headers=headers)
    again = client.post("/api/v1/cases", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.headers.get("Idempotent-Replayed") == "true" and again.json["id"] == first.json["id"]
    assert db.scalar(select(func.count()).select_from(FeedbackCase)) == 1


def test_notifications_fill_the_wechat_templates(client, people, db):
    templates = pytest.importorskip("wechat.services.templates")
    case = dispatched_case(client, people)
    act(client, people, people.gongan, case["id"], "reply", {"text": "已核实处理"})
    client.post(f"/api/v1/cases/{case['id']}/satisfaction", json={"satisfaction": "satisfied"},
                headers=people.h(people.citizen))
    sent = {m.payload["event"]: m.payload["data"] for m in db.scalars(select(OutboxMessage)
                                                                       .where(OutboxMessage.topic == "citizen.notify"))}
    replied = templates.template_data("case_replied", sent["case_replied"])
    assert replied["thing1"]["value"] == "您的投诉" and replied["thing4"]["value"] == "已核实处理"
    invitation = templates.template_data("rating_invitation", sent["rating_invitation"])
    assert invitation["thing1"]["value"] == "投诉诉求办理" and invitation["time2"]["value"] == "2026-11-26 09:00"
