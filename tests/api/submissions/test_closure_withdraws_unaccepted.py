"""Issue 16, item 12: closing (注销) an account left an application handed in
but never accepted in the general desk's queue, its ID-card photo
downloadable. Closure now withdraws it (as the citizen could have) and no
never-accepted application keeps a readable file; accepted ones stay, as the
record the law requires."""

from __future__ import annotations

API = "/api/v1"


def _files(flow, app_id):
    return [f["id"] for f in flow.staff_get(app_id, flow.clerk).json["files"]]


def test_closing_the_account_withdraws_what_was_never_accepted(client, flow, make):
    waiting = flow.submitted()
    asked = flow.submitted()
    assert flow.staff(flow.clerk, asked, "request-supplement",
                      {"items": [{"material_code": "M03", "reason": "照片不清晰"}]}).status_code == 200
    accepted = flow.accepted()
    waiting_files, accepted_files = _files(flow, waiting), _files(flow, accepted)
    clerk = make.headers(flow.clerk)

    assert client.delete(f"{API}/me", headers=flow.h()).status_code == 204

    queue = client.get(f"{API}/staff/applications", headers=clerk).json
    assert waiting not in [row["id"] for row in queue] and asked not in [row["id"] for row in queue]
    for app_id in (waiting, asked):
        read = flow.staff_get(app_id, flow.clerk)
        assert read.status_code == 200 and read.json["status"] == "withdrawn"
        assert read.json["files"] == []
        assert read.json["timeline"][-1]["action"] == "withdraw"
    for file_id in waiting_files:
        download = client.get(f"{API}/staff/applications/{waiting}/materials/{file_id}/content", headers=clerk)
        assert download.status_code == 404, download.status_code
    # Accepted: the record stays, under review, with its materials.
    kept = flow.staff_get(accepted, flow.approver)
    assert kept.status_code == 200 and kept.json["status"] == "under_review"
    for file_id in accepted_files:
        download = client.get(f"{API}/staff/applications/{accepted}/materials/{file_id}/content",
                              headers=make.headers(flow.approver))
        assert download.status_code == 200


def test_an_application_withdrawn_before_closure_loses_its_files_too(client, flow, make):
    app_id = flow.submitted()
    files = _files(flow, app_id)
    assert client.post(f"{API}/applications/{app_id}/withdraw", headers=flow.h(), json={}).status_code == 200
    assert client.delete(f"{API}/me", headers=flow.h()).status_code == 204
    for file_id in files:
        download = client.get(f"{API}/staff/applications/{app_id}/materials/{file_id}/content",
                              headers=make.headers(flow.clerk))
        assert download.status_code == 404
