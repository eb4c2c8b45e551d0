"""Issue 16, defect 4: a draft is the citizen's alone until it is submitted.
No staff member (any hall's clerk, the department's approver or admin, the
platform admin) reads it, downloads its files, acts on it or finds it in a
list; once submitted, the general desk sees it as before."""

from __future__ import annotations

import pytest

API = "/api/v1"


@pytest.fixture
def staff(make):
    return {
        "clerk": make.staff("clerk", None, 1),
        "clerk_with_department": make.staff("clerk", "canlian", 1),
        "approver": make.staff("approver", "canlian", None),
        "department_admin": make.staff("admin", "canlian", None),
        "platform_admin": make.staff("admin", None, None),
    }


def _draft(flow):
    """A complete draft (it could be submitted): (application id, one file id)."""
    created = flow.create()
    assert created.status_code == 201, created.json
    file_id = None
    for material in created.json["materials"]:
        if material["required"]:
            upload = flow.upload(created.json["id"], material["code"])
            assert upload.status_code == 201, upload.json
            file_id = upload.json["id"]
    return created.json["id"], file_id


def test_no_staff_reads_a_draft_or_its_files(client, flow, make, staff):
    app_id, file_id = _draft(flow)
    for kind, person in staff.items():
        h = make.headers(person)
        read = client.get(f"{API}/staff/applications/{app_id}", headers=h)
        assert read.status_code == 404, (kind, read.status_code)
        assert read.json["code"] == "submissions.application_not_found"
        download = client.get(f"{API}/staff/applications/{app_id}/materials/{file_id}/content", headers=h)
        assert download.status_code == 404, (kind, download.status_code)
        assert client.post(f"{API}/staff/applications/{app_id}/accept", headers=h, json={}).status_code == 404


def test_no_staff_list_shows_a_draft(client, flow, make, staff):
    app_id, _ = _draft(flow)
    for kind, person in staff.items():
        h = make.headers(person)
        queries = [{}]
        if kind in ("department_admin", "platform_admin"):
            queries.append({"status": "draft"})  # they may filter any status, but not see drafts
        for query in queries:
            listed = client.get(f"{API}/staff/applications", headers=h, query_string=query)
            assert listed.status_code == 200, (kind, listed.json)
            assert app_id not in [row["id"] for row in listed.json], (kind, query)


def test_a_draft_withdrawn_unsubmitted_stays_private(client, flow, make, staff):
    app_id, file_id = _draft(flow)
    assert client.post(f"{API}/applications/{app_id}/withdraw", headers=flow.h(), json={}).status_code == 200
    h = make.headers(staff["platform_admin"])
    assert client.get(f"{API}/staff/applications/{app_id}", headers=h).status_code == 404
    listed = client.get(f"{API}/staff/applications", headers=h, query_string={"status": "withdrawn"})
    assert app_id not in [row["id"] for row in listed.json]


def test_once_submitted_the_general_desk_reads_it(client, flow, make, staff):
    app_id, file_id = _draft(flow)
    assert flow.submit(app_id).status_code == 200
    h = make.headers(staff["clerk"])
    assert client.get(f"{API}/staff/applications/{app_id}", headers=h).status_code == 200
    download = client.get(f"{API}/staff/applications/{app_id}/materials/{file_id}/content", headers=h)
    assert download.status_code == 200
    listed = client.get(f"{API}/staff/applications", headers=h)
    assert app_id in [row["id"] for row in listed.json]
