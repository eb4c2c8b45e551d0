"""The whole life of an application through the API, as citizen, clerk and approver."""

from __future__ import annotations

from sqlalchemy import select

from mobile_api.audit import entries_for
from mobile_api.hooks import get_served_event
from mobile_api.outbox import OutboxMessage

from .conftest import ITEM, png_bytes


def test_draft_to_delivered_with_timeline_audit_and_notifications(flow, client, session):
    created = flow.create()
    assert created.status_code == 201, created.json
    app_id = created.json["id"]
    assert created.headers["Location"] == f"/api/v1/applications/{app_id}"
    assert created.json["status"] == "draft"
    assert created.json["item_code"] == ITEM and created.json["item_revision"] == 1
    assert created.json["item_version"] is not None

    photo = png_bytes()
    uploaded = flow.upload(app_id, "M03", photo)
    assert uploaded.status_code == 201, uploaded.json
    assert uploaded.json["content_type"] == "image/png" and uploaded.json["size"] == len(photo)
    download = client.get(f"/api/v1/applications/{app_id}/materials/{uploaded.json['id']}/content",
                          headers=flow.h())
    assert download.status_code == 200 and download.data == photo

    # M01/M02 are shared materials but this citizen has no verified real name: they must be uploaded.
    missing = flow.submit(app_id)
    assert missing.status_code == 422
    assert missing.json["code"] == "submissions.materials_incomplete"
    assert set(missing.json["errors"]) == {"materials.M01", "materials.M02"}
    for code in ("M01", "M02"):
        assert flow.upload(app_id, code).status_code == 201

    submitted = flow.submit(app_id)
    assert submitted.status_code == 200, submitted.json
    assert submitted.json["status"] == "submitted"
    assert submitted.json["allowed_actions"] == ["accept", "refuse", "request_supplement", "withdraw"]

    queue = client.get("/api/v1/staff/applications", headers=flow.make.headers(flow.clerk))
    assert queue.status_code == 200 and app_id in [row["id"] for row in queue.json]

    accepted = flow.staff(flow.clerk, app_id, "accept", {"opinion": "材料齐全"})
    assert accepted.status_code == 200, accepted.json
    assert accepted.json["status"] == "under_review"
    deadline = accepted.json["deadline"]
    assert deadline["clock_start_date"] == "2026-11-26"
    # 10 working days after Thursday 26 November 2026: 10 December.
    assert deadline["promised_due_date"] == "2026-12-10" and deadline["flag"] == "normal"

    approver_queue = client.get("/api/v1/staff/applications", headers=flow.make.headers(flow.approver))
    assert [row["id"] for row in approver_queue.json] == [app_id]

    approved = flow.staff(flow.approver, app_id, "approve", {"opinion": "符合条件"})
    assert approved.json["status"] == "approved", approved.json
    completed = flow.staff(flow.approver, app_id, "complete", {"opinion": "已制证"})
    assert completed.json["status"] == "completed"
    certificate_id = completed.json["certificate_id"]
    assert certificate_id
    delivered = flow.staff(flow.clerk, app_id, "deliver", {"method": "window", "opinion": "本人领取"})
    assert delivered.status_code == 200 and delivered.json["status"] == "delivered"

    mine = flow.get(app_id).json
    assert [step["action"] for step in mine["timeline"]] == [
        "create", "submit", "accept", "approve", "complete", "deliver"]
    assert mine["timeline"][2]["opinion"] == "材料齐全" and mine["timeline"][2]["actor_role"] == "clerk"
    assert mine["timeline"][5]["channel"] == "window"
    assert "actor_id" not in mine["timeline"][2]  # staff identities stay internal
    assert mine["deadline"]["flag"] == "finished"

    listed = client.get("/api/v1/applications", headers=flow.h())
    assert [row["id"] for row in listed.json] == [app_id]
    assert '"total": 1' in listed.headers["X-Pagination"]

    actions = [e.action for e in entries_for(session, "application", app_id)]
    for action in ("create", "submit", "accept", "approve", "complete", "deliver"):
        assert f"submissions.application_{action}" in actions
    messages = session.scalars(select(OutboxMessage).where(OutboxMessage.topic == "citizen.notify")).all()
    statuses = [m.payload["data"]["status"] for m in messages
                if m.payload["data"].get("application_id") == app_id]
    assert statuses == ["submitted", "under_review", "approved", "completed", "delivered"]
    assert all(m.payload["citizen_id"] == flow.citizen.id for m in messages)

    served = get_served_event(session, "application", app_id)
    assert served.finished and served.citizen_id == flow.citizen.id
    assert served.staff_id == flow.approver.id and served.department_code == "canlian"


def test_electronic_delivery_happens_with_completion_and_certificate_verifies(flow, client):
    app_id = flow.accepted(delivery_method="electronic")
    flow.staff(flow.approver, app_id, "approve")
    completed = flow.staff(flow.approver, app_id, "complete")
    assert completed.json["status"] == "delivered"
    assert completed.json["timeline"][-1]["channel"] == "electronic"
    cert = client.get(f"/api/v1/certificates/{completed.json['certificate_id']}", headers=flow.h())
    assert cert.status_code == 200
    assert cert.json["certificate_type"] == "中华人民共和国残疾人证"
    assert cert.json["fields"]["holder_name"] == "张*"
    verified = client.post("/api/v1/certificates/verify", json={"payload": cert.json["payload"]})
    assert verified.status_code == 200 and verified.json["valid"] is True
    assert verified.json["certificate"]["number"] == cert.json["number"]


def test_denied_application_completes_without_certificate(flow):
    app_id = flow.accepted()
    denied = flow.staff(flow.approver, app_id, "deny", {"opinion": "残疾等级评定已过期，需重新评定"})
    assert denied.json["status"] == "denied" and denied.json["decision"] == "denied"
    completed = flow.staff(flow.approver, app_id, "complete")
    assert completed.json["status"] == "completed" and completed.json["certificate_id"] is None


def test_refusal_and_withdrawal(flow):
    refused_id = flow.submitted()
    no_reason = flow.staff(flow.clerk, refused_id, "refuse", {})
    assert no_reason.status_code == 422 and "opinion" in no_reason.json["errors"]
    refused = flow.staff(flow.clerk, refused_id, "refuse", {"opinion": "不属于本市受理范围"})
    assert refused.json["status"] == "refused"
    assert refused.json["timeline"][-1]["opinion"] == "不属于本市受理范围"

    withdrawn_id = flow.submitted()
    withdrawn = flow.client.post(f"/api/v1/applications/{withdrawn_id}/withdraw", json={"reason": "填错了"},
                                 headers=flow.h())
    assert withdrawn.status_code == 200 and withdrawn.json["status"] == "withdrawn"
