"""Only the transitions of the graph are possible, only by the right people,
and a refused attempt changes nothing."""

from __future__ import annotations

import pytest

from mobile_api.audit import entries_for

STAFF_ACTIONS = ("accept", "refuse", "request-supplement", "approve", "deny", "complete", "deliver")
BODIES = {"refuse": {"opinion": "理由说明"}, "deny": {"opinion": "理由说明"},
          "request-supplement": {"items": [{"material_code": "M03", "reason": "照片不清晰"}]}}
# Which staff member may take each action (when the state allows it).
ACTOR_FOR = {"accept": "clerk", "refuse": "clerk", "request-supplement": "clerk", "approve": "approver",
             "deny": "approver", "complete": "approver", "deliver": "clerk"}
ALLOWED = {
    "submitted": {"accept", "refuse", "request-supplement"},
    "under_review": {"approve", "deny", "request-supplement"},
    "approved": {"complete"},
    "denied": {"complete"},
    "completed": {"deliver"},
    "delivered": set(),
    "refused": set(),
}


def _reach(flow, state: str) -> int:
    if state == "submitted":
        return flow.submitted()
    if state == "refused":
        app_id = flow.submitted()
        flow.staff(flow.clerk, app_id, "refuse", BODIES["refuse"])
        return app_id
    app_id = flow.accepted()
    if state == "under_review":
        return app_id
    if state == "denied":
        flow.staff(flow.approver, app_id, "deny", BODIES["deny"])
        return app_id
    flow.staff(flow.approver, app_id, "approve")
    if state == "approved":
        return app_id
    flow.staff(flow.approver, app_id, "complete")
    if state == "completed":
        return app_id
    flow.staff(flow.clerk, app_id, "deliver", {"method": "window"})
    return app_id


@pytest.mark.parametrize("state", list(ALLOWED))
def test_every_transition_out_of_the_graph_is_refused(flow, session, state):
    app_id = _reach(flow, state)
    before = flow.staff_get(app_id).json
    assert before["status"] == state
    for action in STAFF_ACTIONS:
        if action in ALLOWED[state]:
            continue
        actor = flow.clerk if ACTOR_FOR[action] == "clerk" else flow.approver
        if action == "request-supplement" and state != "submitted":
            actor = flow.approver
        answer = flow.staff(actor, app_id, action, BODIES.get(action))
        assert answer.status_code == 409, (state, action, answer.json)
        assert answer.json["code"] == "submissions.invalid_transition"
        assert answer.headers["Content-Type"] == "application/problem+json"
    after = flow.staff_get(app_id).json
    assert after["status"] == state and after["timeline"] == before["timeline"]


def test_citizen_cannot_submit_or_withdraw_out_of_order(flow):
    app_id = flow.accepted()
    again = flow.submit(app_id)
    assert again.status_code == 409 and again.json["code"] == "submissions.invalid_transition"
    late = flow.client.post(f"/api/v1/applications/{app_id}/withdraw", json={}, headers=flow.h())
    assert late.status_code == 409
    edit = flow.client.put(f"/api/v1/applications/{app_id}", json={"form": {"name": "李四"}}, headers=flow.h())
    assert edit.status_code == 409 and edit.json["code"] == "submissions.not_editable"
    assert flow.get(app_id).json["form"]["name"] == "张三"


def test_wrong_roles_and_departments_get_403_and_nothing_changes(flow, make, session):
    app_id = flow.submitted()
    other_approver = make.staff("approver", "gongan")
    # Approvers do not accept at the desk; clerks do not decide.
    assert flow.staff(flow.approver, app_id, "accept").status_code == 403
    flow.staff(flow.clerk, app_id, "accept")
    for action in ("approve", "deny", "complete"):
        answer = flow.staff(flow.clerk, app_id, action, BODIES.get(action))
        assert answer.status_code == 403 and answer.json["code"] == "submissions.staff_forbidden"
        answer = flow.staff(other_approver, app_id, action, BODIES.get(action))
        assert answer.status_code == 403
    assert flow.staff(other_approver, app_id, "request-supplement",
                      BODIES["request-supplement"]).status_code == 403
    # Another department's approver cannot even read it, nor its files.
    assert flow.staff_get(app_id, other_approver).status_code == 403
    file_id = flow.get(app_id).json["files"][0]["id"]
    assert flow.client.get(f"/api/v1/staff/applications/{app_id}/materials/{file_id}/content",
                           headers=make.headers(other_approver)).status_code == 403
    # Citizens cannot use staff endpoints at all.
    assert flow.staff(flow.citizen, app_id, "approve").status_code == 403
    assert flow.get(app_id).json["status"] == "under_review"
    assert not [e for e in entries_for(session, "application", app_id) if e.action.endswith("approve")]


def test_another_citizen_sees_nothing_and_changes_nothing(flow, make, client):
    app_id = flow.submitted()
    stranger = make.citizen()
    h = make.headers(stranger)
    file_id = flow.get(app_id).json["files"][0]["id"]
    answers = [
        client.get(f"/api/v1/applications/{app_id}", headers=h),
        client.put(f"/api/v1/applications/{app_id}", json={"form": {}}, headers=h),
        client.post(f"/api/v1/applications/{app_id}/submit", headers=h),
        client.post(f"/api/v1/applications/{app_id}/withdraw", json={}, headers=h),
        client.delete(f"/api/v1/applications/{app_id}/materials/{file_id}", headers=h),
        client.get(f"/api/v1/applications/{app_id}/materials/{file_id}/content", headers=h),
    ]
    assert [a.status_code for a in answers] == [404] * 6
    assert all(a.json["code"] == "submissions.application_not_found" for a in answers)
    assert client.get("/api/v1/applications", headers=h).json == []
    assert flow.get(app_id).json["status"] == "submitted"


def test_staff_file_read_is_audited(flow, client, session):
    app_id = flow.submitted()
    file_id = flow.get(app_id).json["files"][0]["id"]
    answer = client.get(f"/api/v1/staff/applications/{app_id}/materials/{file_id}/content",
                        headers=flow.make.headers(flow.clerk))
    assert answer.status_code == 200 and answer.data.startswith(b"\x89PNG")
    reads = [e for e in entries_for(session, "application", app_id) if e.action == "submissions.material_read"]
    assert len(reads) == 1 and reads[0].principal_id == flow.clerk.id and reads[0].details["file_id"] == file_id
