"""Fixtures for the submissions API tests: the sample catalogue, a temporary
file store, and `flow`, which drives an application through the API."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from guides.services import load_sample_catalogue

# 残疾人证换领: ID card and old certificate waived for a verified citizen, a
# photo to upload; 10 promised / 15 statutory working days; yields a certificate.
ITEM = "130300020000"
IN_PERSON_ITEM = "010300010000"  # 居民身份证补领: needs a face check at submission

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def valid_id(base17: str = "44190019900307123") -> str:
    return base17 + "10X98765432"[sum(int(d) * w for d, w in zip(base17, _WEIGHTS)) % 11]


def png_bytes(size=(40, 30), color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def jpeg_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 32), (10, 120, 200)).save(out, "JPEG")
    return out.getvalue()


def pdf_bytes(body: bytes = b"1 0 obj << /Type /Catalog >> endobj\n") -> bytes:
    return b"%PDF-1.4\n" + body + b"trailer << /Root 1 0 R >>\n%%EOF\n"


def good_form(**overrides) -> dict:
    form = {"name": "张三", "id_number": valid_id(), "disability_cert_no": "44190019900307123X41",
            "reason": "有效期届满"}
    form.update(overrides)
    return form


@pytest.fixture
def config_overrides(tmp_path):
    return {"SUBMISSIONS_STORAGE_DIR": str(tmp_path / "files")}


@pytest.fixture
def catalogue(session, clock):
    summary = load_sample_catalogue(session, clock)
    session.commit()  # the loader leaves the commit to its caller
    return summary


class Flow:
    def __init__(self, client, make, session, clock):
        self.client, self.make, self.session, self.clock = client, make, session, clock
        self.citizen = make.citizen()
        self.clerk = make.staff("clerk", "gongan", hall_id=1)
        self.approver = make.staff("approver", "canlian", hall_id=1)

    def h(self, principal=None, **extra):
        return self.make.headers(principal or self.citizen, **extra)

    def create(self, item=ITEM, form=None, principal=None, **body):
        body = dict(item_code=item, form=good_form() if form is None else form, **body)
        return self.client.post("/api/v1/applications", json=body, headers=self.h(principal))

    def upload(self, app_id, code="M03", data=None, filename="photo.png", principal=None):
        data = png_bytes() if data is None else data
        return self.client.post(f"/api/v1/applications/{app_id}/materials",
                                data={"material_code": code, "file": (io.BytesIO(data), filename)},
                                headers=self.h(principal), content_type="multipart/form-data")

    def submit(self, app_id, principal=None, **headers):
        return self.client.post(f"/api/v1/applications/{app_id}/submit", headers=self.h(principal, **headers))

    def staff(self, principal, app_id, action, body=None):
        return self.client.post(f"/api/v1/staff/applications/{app_id}/{action}", json=body or {},
                                headers=self.make.headers(principal))

    def get(self, app_id, principal=None):
        return self.client.get(f"/api/v1/applications/{app_id}", headers=self.h(principal))

    def staff_get(self, app_id, principal=None):
        return self.client.get(f"/api/v1/staff/applications/{app_id}", headers=self.make.headers(
            principal or self.approver))

    def submitted(self, **create):
        """A complete application, submitted."""
        created = self.create(**create)
        assert created.status_code == 201, created.json
        app_id = created.json["id"]
        for material in created.json["materials"]:
            if material["required"]:
                assert self.upload(app_id, material["code"]).status_code == 201
        answer = self.submit(app_id)
        assert answer.status_code == 200, answer.json
        return app_id

    def accepted(self, **create):
        app_id = self.submitted(**create)
        answer = self.staff(self.clerk, app_id, "accept", {"opinion": "材料齐全，予以受理"})
        assert answer.status_code == 200, answer.json
        return app_id


@pytest.fixture
def flow(client, make, session, clock, catalogue):
    return Flow(client, make, session, clock)


def fill_form(fields: list[dict]) -> dict:
    """A valid value for every field of a guide's form."""
    form = {}
    for field in fields:
        kind, rules = field["type"], field.get("validation") or {}
        if kind == "select":
            form[field["name"]] = field["options"][0]
        elif kind == "date":
            form[field["name"]] = "2026-11-01"
        elif kind == "number":
            form[field["name"]] = rules.get("min", 1)
        elif kind == "boolean":
            form[field["name"]] = True
        elif kind == "phone":
            form[field["name"]] = "13800138000"
        elif kind == "id_number":
            form[field["name"]] = valid_id()
        elif rules.get("pattern"):
            raise ValueError(f"field {field['name']} has a pattern: give its value by hand")
        else:
            length = max(rules.get("min_length", 2), 2)
            form[field["name"]] = ("测试" * length)[:max(length, min(rules.get("max_length", 8), 8))]
    return form
