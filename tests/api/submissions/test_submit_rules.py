"""Submission: idempotent retries, the face check for in-person items, shared
materials waived for a verified citizen, commitments instead of documents."""

from __future__ import annotations

from identity import real_name
from identity.stepup import issue_step_up_token

from .conftest import IN_PERSON_ITEM, valid_id


def test_idempotent_submit_replays_the_first_answer(flow, session):
    app_id = flow.create().json["id"]
    for code in ("M01", "M02", "M03"):
        flow.upload(app_id, code)
    first = flow.submit(app_id, **{"Idempotency-Key": "submit-key-0001"})
    again = flow.submit(app_id, **{"Idempotency-Key": "submit-key-0001"})
    assert first.status_code == again.status_code == 200
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.json == first.json
    timeline = flow.get(app_id).json["timeline"]
    assert [s["action"] for s in timeline].count("submit") == 1
    # A fresh key is a new request: the state machine refuses it.
    assert flow.submit(app_id, **{"Idempotency-Key": "submit-key-0002"}).status_code == 409


def _in_person_draft(flow):
    created = flow.create(item=IN_PERSON_ITEM, form={})
    assert created.status_code == 201, created.json
    app_id = created.json["id"]
    fields = {f: v for f, v in {"name": "张三", "id_number": valid_id(), "phone": "13800138000"}.items()}
    item_fields = flow.client.get(f"/api/v1/guides/items/{IN_PERSON_ITEM}").json["form_fields"]
    form = {}
    for field in item_fields:
        if field["name"] in fields:
            form[field["name"]] = fields[field["name"]]
        elif field["type"] == "select":
            form[field["name"]] = field["options"][0]
        elif field["type"] == "date":
            form[field["name"]] = "2026-11-01"
        elif field["type"] == "number":
            form[field["name"]] = field.get("validation", {}).get("min", 1)
        elif field["type"] == "boolean":
            form[field["name"]] = True
        elif field["type"] == "phone":
            form[field["name"]] = "13800138000"
        elif field["type"] == "id_number":
            form[field["name"]] = valid_id()
        else:
            form[field["name"]] = "测试内容" * max(1, field.get("validation", {}).get("min_length", 1) // 4 + 1)
    updated = flow.client.put(f"/api/v1/applications/{app_id}", json={"form": form}, headers=flow.h())
    assert updated.status_code == 200, updated.json
    for material in updated.json["materials"]:
        if material["required"]:
            assert flow.upload(app_id, material["code"]).status_code == 201
    return app_id


def test_in_person_item_needs_a_face_check_of_the_same_citizen(flow, app, make):
    app_id = _in_person_draft(flow)
    without = flow.submit(app_id)
    assert without.status_code == 403 and without.json["code"] == "identity.step_up_required"
    tokens = app.extensions["tokens"]
    someone_else = issue_step_up_token(tokens, make.actor(make.citizen()), "local")
    assert flow.submit(app_id, **{"X-Step-Up-Token": someone_else}).status_code == 403
    assert flow.get(app_id).json["status"] == "draft"
    own = issue_step_up_token(tokens, make.actor(flow.citizen), "local")
    answer = flow.submit(app_id, **{"X-Step-Up-Token": own})
    assert answer.status_code == 200 and answer.json["status"] == "submitted"


def test_verified_citizen_gets_shared_materials_waived_and_form_prefilled(flow, app, session, clock, make):
    actor = make.actor(flow.citizen)
    real_name.declare(session, app.extensions["cipher"], actor, clock, "王小明", valid_id("44190019850612004"))
    real_name.mark_verified(session, flow.citizen.id, actor, clock, "local")
    session.commit()  # services leave the commit to the unit of work; here the test is it
    created = flow.create(form={"disability_cert_no": "44190019900307123X41", "reason": "证件损坏"})
    assert created.json["form"]["name"] == "王小明"
    # Pre-filled from the verified record, shown masked (the real value is sealed at rest).
    full = valid_id("44190019850612004")
    assert created.json["form"]["id_number"] == full[:4] + "*" * 10 + full[-4:]
    app_id = created.json["id"]
    flow.upload(app_id, "M03")
    answer = flow.submit(app_id)
    assert answer.status_code == 200, answer.json
    waivers = answer.json["waivers"]
    assert waivers["M01"]["source"] == "real_name" and waivers["M01"]["id_number"].startswith("4419")
    assert "*" in waivers["M01"]["id_number"]
    assert waivers["M02"]["source"] == "shared_data"
    provided = {m["code"]: m["provided_by"] for m in answer.json["materials"]}
    assert provided == {"M01": "waived", "M02": "waived", "M03": "upload"}


def test_commitment_replaces_a_document_where_allowed(flow, client, session):
    from guides.services import list_published_items

    item = next(i for i in list_published_items(session)
                if not i.in_person_required and any(m.commitment_allowed and m.required for m in i.materials))
    material = next(m for m in item.materials if m.commitment_allowed and m.required)
    item_code, material_code = item.code, material.code
    session.commit()  # end the read before the requests (they share the test's connection)
    created = client.post("/api/v1/applications", json={"item_code": item_code, "commitments": [material_code]},
                          headers=flow.h())
    assert created.status_code == 201, created.json
    signed = created.json["commitments"][material_code]
    assert signed["text_version"] == "2026-01" and signed["signed_at"].startswith("2026-11-26")
    status = {m["code"]: m["provided_by"] for m in created.json["materials"]}
    assert status[material_code] == "commitment"
