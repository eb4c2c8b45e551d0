"""Access review: another citizen, another department's staff, no token: 403/404 and nothing changed;
no unmasked ID number in what staff read or in the audit log."""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import select

from mobile_api.audit import AuditEntry, entries_for
from submissions.models import Application

from .conftest import valid_id

API = "/api/v1"
ID_NUMBER = valid_id()


def _row(flow, app_id):
    """The owner's view of the application: status, form, materials, timeline (the clock is frozen)."""
    answer = flow.get(app_id)
    assert answer.status_code == 200, answer.json
    return answer.json


def test_no_token_is_401(client, flow):
    for method, path in (("get", "/applications"), ("get", "/applications/1"), ("post", "/applications/1/submit"),
                         ("get", "/staff/applications"), ("get", "/staff/applications/1"),
                         ("post", "/staff/applications/1/accept"), ("get", "/supervision/applications"),
                         ("get", "/certificates/x"), ("post", "/staff/certificates/x/revoke")):
        response = getattr(client, method)(API + path, json={} if method == "post" else None)
        assert response.status_code == 401, (method, path, response.status_code)


def test_another_citizen_gets_404_and_changes_nothing(client, flow, session):
    created = flow.create()
    app_id = created.json["id"]
    upload = flow.upload(app_id, "M03")
    assert upload.status_code == 201
    file_id = upload.json["id"]
    other = flow.make.citizen()
    before = _row(flow, app_id)
    h = flow.h(other)
    assert client.get(f"{API}/applications/{app_id}", headers=h).status_code == 404
    assert client.put(f"{API}/applications/{app_id}", headers=h, json={"form": {"reason": "x"}}).status_code == 404
    assert flow.upload(app_id, "M01", principal=other).status_code == 404
    assert client.delete(f"{API}/applications/{app_id}/materials/{file_id}", headers=h).status_code == 404
    assert client.get(f"{API}/applications/{app_id}/materials/{file_id}/content", headers=h).status_code == 404
    assert flow.submit(app_id, principal=other).status_code == 404
    assert client.post(f"{API}/applications/{app_id}/withdraw", headers=h, json={}).status_code == 404
    listed = client.get(f"{API}/applications", headers=h)
    assert listed.status_code == 200 and listed.json == []
    assert _row(flow, app_id) == before
    download = client.get(f"{API}/applications/{app_id}/materials/{file_id}/content", headers=flow.h())
    assert download.status_code == 200  # the owner's file is still there


def test_staff_cannot_use_citizen_endpoints(client, flow):
    app_id = flow.create().json["id"]
    assert client.get(f"{API}/applications/{app_id}", headers=flow.make.headers(flow.approver)).status_code == 403


def test_approver_of_another_department_can_neither_read_nor_decide(client, flow, session):
    app_id = flow.accepted()
    stranger = flow.make.staff("approver", "gongan", hall_id=1)
    before = _row(flow, app_id)
    assert flow.staff_get(app_id, stranger).status_code == 403
    for action, body in (("approve", {"opinion": "越权"}), ("deny", {"opinion": "越权"}),
                         ("request-supplement", {"items": [{"material_code": "M03", "reason": "越权补正"}]}),
                         ("complete", {"opinion": "越权"}), ("refuse", {"opinion": "越权"}),
                         ("deliver", {"method": "window"})):
        response = flow.staff(stranger, app_id, action, body)
        assert response.status_code == 403, (action, response.json)
    queue = client.get(f"{API}/staff/applications", headers=flow.make.headers(stranger))
    assert queue.status_code == 200 and app_id not in [r["id"] for r in queue.json]
    other_dept = client.get(f"{API}/staff/applications", query_string={"department_code": "canlian"},
                            headers=flow.make.headers(stranger))
    assert other_dept.status_code in (403, 422) or app_id not in [r["id"] for r in other_dept.json]
    assert _row(flow, app_id) == before
    reads = [e for e in entries_for(session, "application", app_id) if e.action == "submissions.application_read"]
    assert reads == []  # a refused read is not a read


def test_department_admin_of_another_department_cannot_decide(client, flow, session):
    app_id = flow.accepted()
    admin = flow.make.staff("admin", "renshe", hall_id=None)
    before = _row(flow, app_id)
    assert flow.staff_get(app_id, admin).status_code == 403
    assert flow.staff(admin, app_id, "approve", {"opinion": "越权"}).status_code == 403
    assert _row(flow, app_id) == before
    sup = client.get(f"{API}/supervision/applications", query_string={"department_code": "canlian"},
                     headers=flow.make.headers(admin))
    assert sup.status_code in (403, 422) or all(r.get("department_code") == "renshe" for r in sup.json)


def test_staff_reads_are_audited(client, flow, session):
    app_id = flow.submitted()
    assert flow.staff_get(app_id, flow.clerk).status_code == 200
    actions = [e.action for e in entries_for(session, "application", app_id)]
    assert "submissions.application_read" in actions


def _certificate(flow, client):
    app_id = flow.accepted()
    assert flow.staff(flow.approver, app_id, "approve", {"opinion": "符合"}).status_code == 200
    done = flow.staff(flow.approver, app_id, "complete", {"opinion": "办结"})
    assert done.status_code == 200, done.json
    cert_id = done.json.get("certificate_id") or (done.json.get("certificate") or {}).get("id")
    assert cert_id, done.json
    return cert_id


def test_certificates_are_the_holders_and_the_issuing_departments(client, flow, session):
    cert_id = _certificate(flow, client)
    assert client.get(f"{API}/certificates/{cert_id}", headers=flow.h()).status_code == 200
    assert client.get(f"{API}/certificates/{cert_id}", headers=flow.h(flow.make.citizen())).status_code == 404
    stranger = flow.make.staff("approver", "gongan", hall_id=1)
    revoke = client.post(f"{API}/staff/certificates/{cert_id}/revoke", json={"reason": "越权"},
                         headers=flow.make.headers(stranger))
    assert revoke.status_code == 403
    assert client.get(f"{API}/certificates/{cert_id}", headers=flow.h()).json.get("revoked_at") is None


def _walk(value):
    if isinstance(value, dict):
        for v in value.values():
            yield from _walk(v)
    elif isinstance(value, list):
        for v in value:
            yield from _walk(v)
    elif isinstance(value, str):
        yield value


def test_audit_entries_hold_no_unmasked_id_number(client, flow, session):
    app_id = flow.accepted(form=None)
    flow.staff_get(app_id, flow.approver)
    for entry in session.scalars(select(AuditEntry)):
        blob = json.dumps(entry.details or {}, ensure_ascii=False) + (entry.object_id or "")
        assert ID_NUMBER not in blob, entry.action


def test_staff_detail_shows_the_id_number_masked_and_it_is_encrypted_at_rest(client, flow, session):
    app_id = flow.submitted()
    answer = flow.staff_get(app_id, flow.clerk)
    assert answer.status_code == 200
    assert ID_NUMBER not in answer.get_data(as_text=True)
    stored = json.dumps(session.get(Application, app_id).form_data, ensure_ascii=False)
    assert ID_NUMBER not in stored


def test_another_citizens_theme_application_is_404(client, flow, session):
    from guides.services import get_theme

    from .conftest import fill_form, png_bytes

    codes = [item.code for item in get_theme(session, "newborn").members]
    session.commit()
    fields = {}
    for code in codes:
        for field in client.get(f"{API}/guides/items/{code}").json["form_fields"]:
            fields.setdefault(field["name"], field)
    created = client.post(f"{API}/applications", json={"theme_id": "newborn", "form": fill_form(list(fields.values()))},
                          headers=flow.h())
    assert created.status_code == 201, created.json
    bundle = created.json
    other = flow.h(flow.make.citizen())
    assert client.get(f"{API}/theme-applications/{bundle['id']}", headers=other).status_code == 404
    material = next(m for m in bundle["materials"] if m["required"])
    upload = client.post(f"{API}/theme-applications/{bundle['id']}/materials", headers=other,
                         data={"material_name": material["name"], "file": (io.BytesIO(png_bytes()), "p.png")},
                         content_type="multipart/form-data")
    assert upload.status_code == 404
    assert client.post(f"{API}/theme-applications/{bundle['id']}/submit", headers=other).status_code == 404
    assert client.get(f"{API}/theme-applications/{bundle['id']}", headers=flow.h()).json == bundle


def test_staff_of_another_department_cannot_download_materials(client, flow, session):
    app_id = flow.accepted()
    files = flow.get(app_id).json
    file_ids = [f["id"] for f in files.get("files", [])]
    assert file_ids, files
    stranger = flow.make.staff("approver", "gongan", hall_id=1)
    response = client.get(f"{API}/staff/applications/{app_id}/materials/{file_ids[0]}/content",
                          headers=flow.make.headers(stranger))
    assert response.status_code == 403
    ok = client.get(f"{API}/staff/applications/{app_id}/materials/{file_ids[0]}/content",
                    headers=flow.make.headers(flow.approver))
    assert ok.status_code == 200
    reads = [e for e in entries_for(session, "application", app_id) if e.action == "submissions.material_read"]
    assert [e.principal_id for e in reads] == [flow.approver.id]


def test_clerk_of_another_hall_cannot_read_an_application_accepted_elsewhere(client, flow, session):
    app_id = flow.accepted()  # accepted by flow.clerk at hall 1
    file_id = flow.get(app_id).json["files"][0]["id"]
    stranger = flow.make.headers(flow.make.staff("clerk", "gongan", hall_id=2))
    assert client.get(f"{API}/staff/applications/{app_id}", headers=stranger).status_code == 403
    assert client.get(f"{API}/staff/applications/{app_id}/materials/{file_id}/content",
                      headers=stranger).status_code == 403


def test_editing_a_form_with_its_masked_id_number_keeps_the_real_one(client, flow, session):
    """Clients send back the form they were shown: a masked value means "unchanged"."""
    created = flow.create()
    app_id = created.json["id"]
    shown = created.json["form"]
    assert "*" in shown["id_number"]
    edited = dict(shown, reason="有效期届满")
    answer = client.put(f"/api/v1/applications/{app_id}", json={"form": edited}, headers=flow.h())
    assert answer.status_code == 200, answer.json
    assert answer.json["form"]["id_number"] == shown["id_number"]
    session.expire_all()
    stored = session.get(Application, app_id).form_data["id_number"]
    assert isinstance(stored, dict) and "$sealed" in stored


def _ids(response):
    assert response.status_code == 200, response.json
    return [row["id"] for row in response.json]


def test_a_hall_admin_runs_a_hall_and_handles_no_applications(client, flow, session):
    """identity.access: an admin with a hall and no department is a hall
    admin, not the platform admin it used to be taken for."""
    app_id = flow.accepted()  # accepted at hall 1, the hall admin's own
    hall_admin = flow.make.staff("admin", department_code=None, hall_id=1)
    h = flow.make.headers(hall_admin)
    before = _row(flow, app_id)
    assert flow.staff_get(app_id, hall_admin).status_code == 403
    assert client.get(f"{API}/staff/applications", headers=h).status_code == 403
    assert client.get(f"{API}/supervision/applications", headers=h).status_code == 403
    assert flow.staff(hall_admin, app_id, "approve", {"opinion": "越权"}).status_code == 403
    assert _row(flow, app_id) == before


def test_the_platform_admin_reads_every_department_but_decides_nothing(client, flow, session):
    app_id = flow.accepted()
    platform = flow.make.staff("admin")
    h = flow.make.headers(platform)
    assert flow.staff_get(app_id, platform).status_code == 200
    assert app_id in _ids(client.get(f"{API}/staff/applications", query_string={"department_code": "canlian"},
                                     headers=h))
    assert app_id in _ids(client.get(f"{API}/staff/applications", query_string={"status": "under_review"},
                                     headers=h))
    assert client.get(f"{API}/supervision/applications", headers=h).status_code == 200
    assert flow.staff(platform, app_id, "approve", {"opinion": "越权"}).status_code == 403


def test_a_department_admin_reads_and_revokes_for_its_own_department_only(client, flow, session):
    cert_id = _certificate(flow, client)
    app_id = flow.accepted()
    own = flow.make.staff("admin", "canlian", hall_id=None)
    other = flow.make.staff("admin", "renshe", hall_id=None)
    assert flow.staff_get(app_id, own).status_code == 200
    assert client.get(f"{API}/staff/applications", query_string={"department_code": "renshe"},
                      headers=flow.make.headers(own)).status_code == 403
    refused = client.post(f"{API}/staff/certificates/{cert_id}/revoke", json={"reason": "越权"},
                          headers=flow.make.headers(other))
    assert refused.status_code == 403
    revoked = client.post(f"{API}/staff/certificates/{cert_id}/revoke", json={"reason": "证照信息有误"},
                          headers=flow.make.headers(own))
    assert revoked.status_code == 200 and revoked.json["revoked_at"] is not None
