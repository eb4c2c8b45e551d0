"""`POST /api/v1/applications/submit`: create and submit with the materials in
one request. Bad input is refused before anything is written, in the database
or in the file store; a retry with the same key replays; limits hold."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from identity.stepup import issue_step_up_token
from mobile_api.audit import AuditEntry
from mobile_api.outbox import OutboxMessage
from submissions.models import Application, ApplicationFile

from .conftest import IN_PERSON_ITEM, ITEM, good_form, jpeg_bytes, pdf_bytes, png_bytes

URL = "/api/v1/applications/submit"


def _send(flow, files=None, application=None, principal=None, **headers):
    application = {"item_code": ITEM, "form": good_form()} if application is None else application
    files = {"M01": pdf_bytes(), "M02": jpeg_bytes(), "M03": png_bytes()} if files is None else files
    data = {"application": json.dumps(application)}
    for code, content in files.items():
        data[f"files.{code}"] = (io.BytesIO(content), f"{code}.bin")
    return flow.client.post(URL, data=data, content_type="multipart/form-data", headers=flow.h(principal, **headers))


def _stored(tmp_path) -> list[Path]:
    root = tmp_path / "files"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _counts(session):
    counts = (session.scalar(select(func.count(Application.id))),
              session.scalar(select(func.count(ApplicationFile.id))),
              session.scalar(select(func.count(AuditEntry.id))),
              session.scalar(select(func.count(OutboxMessage.id))))
    session.commit()  # end the read before the next request (they share the test's connection)
    return counts


def test_one_request_creates_submits_and_records_everything(flow, session, tmp_path):
    answer = _send(flow, **{"X-Client-Channel": "miniprogram"})
    assert answer.status_code == 201, answer.json
    body = answer.json
    assert body["status"] == "submitted" and answer.headers["Location"] == f"/api/v1/applications/{body['id']}"
    assert {m["code"]: m["provided_by"] for m in body["materials"]} == {"M01": "upload", "M02": "upload",
                                                                        "M03": "upload"}
    assert [s["action"] for s in body["timeline"]] == ["create", "submit"]
    assert len(_stored(tmp_path)) == 3 and not any(".incoming" in str(p) for p in _stored(tmp_path))
    actions = session.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "application",
                                                         AuditEntry.object_id == str(body["id"]))).all()
    assert sorted(actions) == sorted(["submissions.application_create", "submissions.application_submit"]
                                     + ["submissions.material_upload"] * 3)
    messages = session.scalars(select(OutboxMessage)).all()
    assert [m.payload["data"]["status"] for m in messages] == ["submitted"]
    session.commit()
    # The files are the citizen's, readable like stepwise uploads.
    file_id = next(f["id"] for f in body["files"] if f["material_code"] == "M01")
    content = flow.client.get(f"/api/v1/applications/{body['id']}/materials/{file_id}/content", headers=flow.h())
    assert content.data == pdf_bytes() and content.mimetype == "application/pdf"


@pytest.mark.parametrize("files, field, code", [
    ({"M01": pdf_bytes(), "M02": b"%PDF-1.4 not really", "M03": png_bytes()}, "files.M02",
     "submissions.file_type_rejected"),
    ({"M01": pdf_bytes(), "M02": pdf_bytes(), "M03": b""}, "files.M03", "submissions.file_empty"),
    ({"M01": pdf_bytes(), "M02": pdf_bytes(), "M03": png_bytes(), "M99": pdf_bytes()}, "files.M99",
     "submissions.material_unknown"),
    ({"M01": pdf_bytes(), "M03": png_bytes()}, "materials.M02", "submissions.materials_incomplete"),
])
def test_bad_files_store_nothing(flow, session, tmp_path, files, field, code):
    before = _counts(session)
    answer = _send(flow, files=files)
    assert answer.status_code == 422, answer.json
    assert answer.json["code"] == code and field in answer.json["errors"]
    assert _counts(session) == before
    assert _stored(tmp_path) == []


def test_bad_form_or_body_stores_nothing(flow, session, tmp_path):
    before = _counts(session)
    incomplete = _send(flow, application={"item_code": ITEM, "form": good_form(reason=None)})
    assert incomplete.status_code == 422 and incomplete.json["code"] == "submissions.form_invalid"
    not_json = flow.client.post(URL, data={"application": "{", "files.M01": (io.BytesIO(pdf_bytes()), "a.pdf")},
                                content_type="multipart/form-data", headers=flow.h())
    assert not_json.status_code == 422 and "application" in not_json.json["errors"]
    as_json = flow.client.post(URL, json={"item_code": ITEM}, headers=flow.h())
    assert as_json.status_code == 422 and as_json.json["code"] == "submissions.multipart_required"
    unnamed = flow.client.post(URL, data={"application": json.dumps({"item_code": ITEM, "form": good_form()}),
                                          "file": (io.BytesIO(pdf_bytes()), "a.pdf")},
                               content_type="multipart/form-data", headers=flow.h())
    assert unnamed.status_code == 422 and "file" in unnamed.json["errors"]
    assert _counts(session) == before and _stored(tmp_path) == []


@pytest.mark.parametrize("overrides, status, code", [
    ({"SUBMISSIONS_MAX_FILE_BYTES": 4000}, 413, "submissions.file_too_large"),
    ({"SUBMISSIONS_MAX_APPLICATION_BYTES": 4100}, 413, "submissions.application_too_large"),
    ({"SUBMISSIONS_MAX_FILES_PER_APPLICATION": 2}, 413, "submissions.too_many_files"),
])
def test_limits_hold_and_store_nothing(flow, app, session, tmp_path, overrides, status, code):
    big = b"%PDF-1.4\n" + b"0" * 4000 + b"\n%%EOF\n"
    app.config.update(overrides)
    before = _counts(session)
    answer = _send(flow, files={"M01": pdf_bytes(), "M02": big, "M03": png_bytes()})
    assert answer.status_code == status and answer.json["code"] == code, answer.json
    assert _counts(session) == before and _stored(tmp_path) == []


def test_retry_with_the_same_key_replays_and_a_different_request_is_refused(flow, session):
    key = {"Idempotency-Key": "one-request-0001"}
    first = _send(flow, **key)
    again = _send(flow, **key)
    assert first.status_code == again.status_code == 201
    assert again.headers.get("Idempotent-Replayed") == "true" and again.json == first.json
    assert _counts(session)[0] == 1
    other_bytes = _send(flow, files={"M01": pdf_bytes(b"2 0 obj << >> endobj\n"), "M02": jpeg_bytes(),
                                     "M03": png_bytes()}, **key)
    assert other_bytes.status_code == 422 and other_bytes.json["code"] == "idempotency.key_reused"
    assert _counts(session)[0] == 1
    assert _send(flow, **{"Idempotency-Key": "one-request-0002"}).status_code == 201


def test_in_person_item_needs_the_face_check_before_any_byte_is_kept(flow, app, make, session, tmp_path):
    fields = flow.client.get(f"/api/v1/guides/items/{IN_PERSON_ITEM}").json
    from .conftest import fill_form

    values = {"name": "张三", "phone": "13800138000"}
    form = {k: values.get(k, v) for k, v in fill_form(fields["form_fields"]).items()}
    files = {m["code"]: png_bytes() for m in fields["materials"] if m["required"]}
    application = {"item_code": IN_PERSON_ITEM, "form": form}
    someone_else = issue_step_up_token(app.extensions["tokens"], make.actor(make.citizen()), "local")
    before = _counts(session)
    without = _send(flow, files=files, application=application)
    assert without.status_code == 403 and without.json["code"] == "identity.step_up_required"
    assert _send(flow, files=files, application=application,
                 **{"X-Step-Up-Token": someone_else}).status_code == 403
    assert _counts(session) == before and _stored(tmp_path) == []
    own = issue_step_up_token(app.extensions["tokens"], make.actor(flow.citizen), "local")
    answer = _send(flow, files=files, application=application, **{"X-Step-Up-Token": own})
    assert answer.status_code == 201 and answer.json["status"] == "submitted", answer.json


def test_stepwise_endpoints_are_unchanged(flow):
    assert flow.get(flow.submitted()).json["status"] == "submitted"


def test_a_retry_while_the_first_runs_stores_nothing(flow, session, tmp_path, redis_client):
    """The idempotency lock is taken after the files are staged (their hashes
    make the fingerprint); refused there, the staged files must go too."""
    import hashlib

    scope = hashlib.sha256(f"citizen:{flow.citizen.id}\x00one-request-busy".encode()).hexdigest()
    redis_client.set(f"idem:lock:{scope}", "another request's fingerprint")
    before = _counts(session)
    answer = _send(flow, **{"Idempotency-Key": "one-request-busy"})
    assert answer.status_code == 422 and answer.json["code"] == "idempotency.key_reused"
    assert _counts(session) == before and _stored(tmp_path) == []
