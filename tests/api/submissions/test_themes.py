"""一件事: one merged form and material list, one application per member item,
handled in parallel by their departments, with an overall status."""

from __future__ import annotations

from .conftest import fill_form

THEME = "newborn"


def _members(session):
    from guides.services import get_theme

    codes = [item.code for item in get_theme(session, THEME).members]
    session.commit()  # end the read before the requests (they share the test's connection)
    return codes


def _merged_form(client, codes):
    fields = {}
    for code in codes:
        item = client.get(f"/api/v1/guides/items/{code}").json
        for field in item["form_fields"]:
            fields.setdefault(field["name"], field)
    return fill_form(list(fields.values()))


def test_theme_application_from_draft_to_completed(flow, client, make, session):
    codes = _members(session)
    form = _merged_form(client, codes)
    assert form, "the theme should define form fields"
    created = client.post("/api/v1/applications", json={"theme_id": THEME, "form": form}, headers=flow.h())
    assert created.status_code == 201, created.json
    bundle = created.json
    assert created.headers["Location"] == f"/api/v1/theme-applications/{bundle['id']}"
    assert bundle["status"] == "draft" and [m["item_code"] for m in bundle["members"]] == codes
    assert len({m["department_code"] for m in bundle["members"]}) >= 3

    incomplete = client.post(f"/api/v1/theme-applications/{bundle['id']}/submit", headers=flow.h())
    assert incomplete.status_code == 422 and incomplete.json["code"] == "submissions.theme_incomplete"

    uploaded_rows = 0
    for material in bundle["materials"]:
        if not material["required"]:
            continue
        answer = client.post(f"/api/v1/theme-applications/{bundle['id']}/materials",
                             data={"material_name": material["name"], "file": (_png(), "m.png")},
                             headers=flow.h(), content_type="multipart/form-data")
        assert answer.status_code == 201, (material, answer.json)
        assert len(answer.json) == len(material["needed_by"])  # one upload serves every member needing it
        uploaded_rows += len(answer.json)
    assert uploaded_rows > len([m for m in bundle["materials"] if m["required"]])  # some were shared

    submitted = client.post(f"/api/v1/theme-applications/{bundle['id']}/submit", headers=flow.h())
    assert submitted.status_code == 200, submitted.json
    assert submitted.json["status"] == "in_progress"
    assert {m["status"] for m in submitted.json["members"]} == {"submitted"}

    # Each department handles its own member, in parallel.
    members = submitted.json["members"]
    for member in members:
        approver = make.staff("approver", member["department_code"])
        assert flow.staff(flow.clerk, member["id"], "accept").status_code == 200
        assert flow.staff(approver, member["id"], "approve").status_code == 200
        assert flow.staff(approver, member["id"], "complete").status_code == 200
        state = client.get(f"/api/v1/theme-applications/{bundle['id']}", headers=flow.h()).json["status"]
        if member["id"] != members[-1]["id"]:
            assert state == "in_progress"
    final = client.get(f"/api/v1/theme-applications/{bundle['id']}", headers=flow.h()).json
    assert final["status"] == "completed"

    stranger = make.citizen()
    assert client.get(f"/api/v1/theme-applications/{bundle['id']}",
                      headers=make.headers(stranger)).status_code == 404


def test_theme_with_unknown_field_or_unknown_theme(flow, client):
    unknown_field = client.post("/api/v1/applications", json={"theme_id": THEME, "form": {"shoe_size": 42}},
                                headers=flow.h())
    assert unknown_field.status_code == 422 and "shoe_size" in unknown_field.json["errors"]
    unknown = client.post("/api/v1/applications", json={"theme_id": "no-such-theme"}, headers=flow.h())
    assert unknown.status_code == 422 and unknown.json["code"] == "submissions.theme_not_available"
    assert client.get("/api/v1/applications", headers=flow.h()).json == []


def _png():
    import io

    from .conftest import png_bytes

    return io.BytesIO(png_bytes())
