"""网上申办's rows of the access matrix (tests/access/matrix.py), run for every
principal kind against real applications, 一件事 bundles and certificates.

"Here" is the item's department (残疾人联合会, canlian) and the hall that
accepted the application (hall 1). The state each row runs in:

- the citizen's operations: a draft with every required material uploaded;
  the certificate: issued on completion;
- staff reads: an application accepted at hall 1 (under review);
- accept, refuse: submitted, not yet accepted (so it has no hall yet and
  any hall's clerk is the general desk);
- request-supplement, approve, deny: under review (a supplement asked
  during review is the approver's); complete: approved;
- deliver: completed, accepted at hall 1; revoke: a certificate of canlian.

Refused principals share one object, which they must not change; every
granted principal of a write gets an object of its own, so that one granted
answer does not decide the next (an accepted application belongs to its hall).
"""

from __future__ import annotations

import io

import pytest

from tests.access.matrix import MATRIX
from tests.access.runner import check_row, headers_of, principals, row_params, rows_under

from .conftest import fill_form, good_form, png_bytes

HERE, THERE = 1, 2
DEPARTMENT, OTHER_DEPARTMENT = "canlian", "minzheng"  # ITEM's department, and another
THEME = "newborn"
PREFIXES = ("/api/v1/applications/", "/api/v1/theme-applications/", "/api/v1/staff/applications/",
            "/api/v1/certificates/", "/api/v1/staff/certificates/")


@pytest.fixture
def world(flow, make, client, session):
    people = principals(make, here_hall=HERE, there_hall=THERE, department=DEPARTMENT,
                        other_department=OTHER_DEPARTMENT, owner=flow.citizen)
    headers = headers_of(make, people)
    return Builder(flow, client, session, headers)


class Builder:
    """Builds the object a row needs, through the API, in the row's state."""

    def __init__(self, flow, client, session, headers):
        self.flow, self.client, self.session, self.headers = flow, client, session, headers

    def _ok(self, response, status=200):
        assert response.status_code == status, response.json
        return response.json

    def staff(self, kind, app_id, action, body=None):
        return self._ok(self.client.post(f"/api/v1/staff/applications/{app_id}/{action}", json=body or {},
                                         headers=self.headers[kind]))

    def draft(self):
        """A draft with every required material: (application id, one file id)."""
        created = self._ok(self.flow.create(), 201)
        file_id = None
        for material in created["materials"]:
            if material["required"]:
                file_id = self._ok(self.flow.upload(created["id"], material["code"]), 201)["id"]
        assert file_id is not None
        return created["id"], file_id

    def submitted(self):
        app_id, file_id = self.draft()
        self._ok(self.flow.submit(app_id))
        return app_id, file_id

    def accepted(self):
        app_id, file_id = self.submitted()
        self.staff("clerk_here", app_id, "accept", {"opinion": "材料齐全，予以受理"})
        return app_id, file_id

    def approved(self):
        app_id, file_id = self.accepted()
        self.staff("approver_here", app_id, "approve")
        return app_id, file_id

    def completed(self):
        app_id, file_id = self.approved()
        certificate_id = self.staff("approver_here", app_id, "complete")["certificate_id"]
        return app_id, file_id, certificate_id

    def bundle(self):
        from guides.services import get_theme

        codes = [item.code for item in get_theme(self.session, THEME).members]
        self.session.commit()  # end the read before the requests (they share the test's connection)
        fields = {}
        for code in codes:
            for field in self._ok(self.client.get(f"/api/v1/guides/items/{code}"))["form_fields"]:
                fields.setdefault(field["name"], field)
        bundle = self._ok(self.client.post("/api/v1/applications", json={"theme_id": THEME,
                                                                        "form": fill_form(list(fields.values()))},
                                           headers=self.headers["owner"]), 201)
        for material in bundle["materials"]:
            if material["required"]:
                self._ok(self._theme_upload(bundle["id"], material["name"]), 201)
        return bundle

    def _theme_upload(self, bundle_id, name):
        return self.client.post(f"/api/v1/theme-applications/{bundle_id}/materials",
                                data={"material_name": name, "file": (io.BytesIO(png_bytes()), "m.png")},
                                headers=self.headers["owner"], content_type="multipart/form-data")

    def request(self, method, template):
        """(path, request kwargs) for one principal, on a new object in the row's state."""
        action = template.rsplit("/", 1)[-1]
        params, kwargs = {}, {"json": None}
        if template.startswith("/api/v1/theme-applications/"):
            bundle = self.bundle()
            params["bundle_id"] = bundle["id"]
            if action == "materials":
                name = next(m["name"] for m in bundle["materials"] if m["required"])
                kwargs = {"data": {"material_name": name, "file": (io.BytesIO(png_bytes()), "m.png")},
                          "content_type": "multipart/form-data"}
        elif "certificate" in template:
            _, _, params["cert_id"] = self.completed()
            kwargs["json"] = {"reason": "证照信息有误，予以注销"} if action == "revoke" else None
        elif template.startswith("/api/v1/applications/"):
            params["application_id"], params["file_id"] = self.draft()
            if method == "PUT":
                kwargs["json"] = {"form": good_form(reason="证件损毁")}
            elif action == "materials":
                kwargs = {"data": {"material_code": "M03", "file": (io.BytesIO(png_bytes()), "p.png")},
                          "content_type": "multipart/form-data"}
            elif action == "withdraw":
                kwargs["json"] = {"reason": "不再需要"}
        else:  # staff
            state = {"accept": self.submitted, "refuse": self.submitted, "complete": self.approved,
                     "deliver": lambda: self.completed()[:2]}.get(action, self.accepted)
            params["application_id"], params["file_id"] = state()
            kwargs["json"] = {
                "accept": {"opinion": "材料齐全，予以受理"}, "refuse": {"opinion": "不属于本事项受理范围"},
                "request-supplement": {"items": [{"material_code": "M03", "reason": "照片不清晰"}]},
                "approve": {"opinion": "符合条件"}, "deny": {"opinion": "不符合换领条件"}, "complete": {},
                "deliver": {"method": "window"},
            }.get(action)
        return template.format(**params), kwargs


ROWS = rows_under(*PREFIXES)




@pytest.mark.parametrize("method,template", row_params(ROWS))
def test_every_principal_kind_gets_the_documented_answer(client, world, method, template):
    shared = world.request(method, template)

    def prepare(kind, granted):
        if granted and method != "GET":
            return world.request(method, template)
        path, kwargs = shared
        if "data" in kwargs:  # a multipart body is read once: a new file part each time
            kwargs = dict(kwargs, data=dict(kwargs["data"], file=(io.BytesIO(png_bytes()), "p.png")))
        return path, kwargs

    mismatches = check_row(client, method, shared[0], MATRIX[(method, template)], lambda kind: world.headers[kind],
                           prepare=prepare)
    assert not mismatches, "\n".join(mismatches)

