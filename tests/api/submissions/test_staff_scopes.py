"""Staff created with the other combinations `flask staff create` accepts
(issue 16, defect 5): a clerk's department grants nothing, and a clerk with
no hall takes no desk step (an acceptance would have no hall)."""

from __future__ import annotations

API = "/api/v1"


def test_a_clerk_without_a_hall_takes_no_desk_step(client, flow, make):
    app_id = flow.submitted()
    clerk = make.staff("clerk", "canlian", None)  # a department, no hall: accepted by the CLI
    answer = flow.staff(clerk, app_id, "accept", {"opinion": "受理"})
    assert answer.status_code == 403, answer.json
    assert answer.json["code"] == "submissions.staff_forbidden"
    assert flow.get(app_id).json["status"] == "submitted"


def test_a_clerk_with_a_department_takes_no_approver_step(client, flow, make):
    app_id = flow.accepted()
    clerk = make.staff("clerk", "canlian", 1)  # the item's department, the accepting hall
    for action in ("approve", "deny", "request-supplement"):
        body = {"opinion": "同意"} if action != "request-supplement" else {
            "items": [{"material_code": "M03", "reason": "照片不清晰"}]}
        answer = flow.staff(clerk, app_id, action, body)
        assert answer.status_code == 403, (action, answer.json)
    assert flow.get(app_id).json["status"] == "under_review"
