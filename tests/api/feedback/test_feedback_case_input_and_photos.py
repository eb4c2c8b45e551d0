"""Bad case input is a clear 4xx that changes nothing; photos are JPEG/PNG
recognised by content, stored content-addressed and shown only to those who
may see the case."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from feedback.models import FeedbackCase, FeedbackUpload

from .conftest import dispatched_case, image_bytes, submit


def _count(db, model=FeedbackCase):
    db.expire_all()
    return db.scalar(select(func.count()).select_from(model))


def _upload(client, people, data, who=None, name="photo.png"):
    return client.post("/api/v1/feedback/uploads", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data", headers=people.h(who or people.citizen))


GOOD = {"kind": "complaint", "category": "conduct.attitude", "text": "态度差"}


@pytest.mark.parametrize("change, field", [
    ({"kind": "praise"}, "kind"),
    ({"category": "conduct.nonsense"}, "category"),
    ({"category": "conduct"}, "category"),
    ({"text": ""}, "text"),
    ({"text": "   "}, "text"),
    ({"text": "字" * 2001}, "text"),
    ({"text": "a\x00b"}, "text"),
    ({"about_type": "window", "about_ref": "1\x00"}, "about_ref"),
    ({"photos": list(range(1, 11))}, "photos"),
    ({"photos": [123456]}, "photos"),
    ({"about_type": "department", "about_ref": "nowhere"}, "about"),
    ({"about_type": "hall", "about_ref": "abc"}, "about"),
    ({"about_type": "planet", "about_ref": "1"}, "about_type"),
    ({"about_type": "hall"}, "about"),
    ({"unexpected": 1}, "unexpected"),
])
def test_bad_case_input_is_refused_and_changes_nothing(client, people, db, change, field):
    response = client.post("/api/v1/cases", json={**GOOD, **change}, headers=people.h(people.citizen))
    assert response.status_code == 422, response.json
    assert response.mimetype == "application/problem+json" and field in response.json["errors"]
    assert _count(db) == 0


def test_exactly_2000_characters_and_nine_photos_are_accepted(client, people):
    photos = [_upload(client, people, image_bytes(color=(i, 0, 0))).json["id"] for i in range(9)]
    case = submit(client, people, text="字" * 2000, photos=photos)
    assert case["photos"] == photos


def test_about_an_application_must_be_the_citizens_own(client, people, served, db):
    mine = served.add("application", citizen_id=people.citizen.id, department_code="renshe")
    theirs = served.add("application", citizen_id=people.other_citizen.id)
    ok = submit(client, people, about_type="application", about_ref=str(mine.id))
    assert ok["about_type"] == "application" and ok["about_ref"] == str(mine.id)
    refused = client.post("/api/v1/cases", json={**GOOD, "text": "别的", "about_type": "application",
                                                 "about_ref": str(theirs.id)}, headers=people.h(people.citizen))
    assert refused.status_code == 422
    assert _count(db) == 1


def test_staff_and_kiosks_cannot_submit_cases(client, people):
    assert client.post("/api/v1/cases", json=GOOD, headers=people.h(people.gongan)).status_code == 403
    assert client.post("/api/v1/cases", json=GOOD).status_code == 401


def test_upload_png_and_jpeg_recognised_by_content(client, people, db, app):
    png = _upload(client, people, image_bytes("PNG"), name="a.jpg")
    jpeg = _upload(client, people, image_bytes("JPEG"), name="b.png")
    assert png.status_code == 201 and png.json["content_type"] == "image/png"
    assert jpeg.status_code == 201 and jpeg.json["content_type"] == "image/jpeg"
    digest = png.json["sha256"]
    stored = Path(app.config["FEEDBACK_STORAGE_DIR"]) / digest[:2] / digest[2:4] / digest
    assert stored.read_bytes() == image_bytes("PNG")


def test_upload_refuses_non_images_fakes_and_big_files(client, people, db, app):
    text = _upload(client, people, b"hello, this is not a picture", name="x.png")
    assert text.status_code == 422 and text.json["code"] == "feedback.upload_not_image"
    fake = _upload(client, people, b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)  # the signature alone is not enough
    assert fake.status_code == 422
    empty = _upload(client, people, b"")
    assert empty.status_code == 422
    big = _upload(client, people, image_bytes("PNG", size=(1, 1)) + b"\x00" * app.config["FEEDBACK_UPLOAD_MAX_BYTES"])
    assert big.status_code == 413 and big.json["code"] == "feedback.upload_too_large"
    missing = client.post("/api/v1/feedback/uploads", data={}, content_type="multipart/form-data",
                          headers=people.h(people.citizen))
    assert missing.status_code == 422
    assert _count(db, FeedbackUpload) == 0


def test_photos_visible_to_owner_and_handling_department_only(client, people):
    upload = _upload(client, people, image_bytes("JPEG")).json
    case = dispatched_case(client, people, photos=[upload["id"]])
    url = f"/api/v1/cases/{case['id']}/photos/{upload['id']}"
    mine = client.get(url, headers=people.h(people.citizen))
    assert mine.status_code == 200 and mine.mimetype == "image/jpeg" and mine.data == image_bytes("JPEG")
    assert client.get(url, headers=people.h(people.gongan)).status_code == 200
    assert client.get(url, headers=people.h(people.renshe)).status_code == 404
    assert client.get(url, headers=people.h(people.other_citizen)).status_code == 404
    other_upload = _upload(client, people, image_bytes("PNG")).json
    assert client.get(f"/api/v1/cases/{case['id']}/photos/{other_upload['id']}",
                      headers=people.h(people.citizen)).status_code == 404


def test_someone_elses_upload_cannot_be_attached(client, people, db):
    theirs = _upload(client, people, image_bytes("PNG"), who=people.other_citizen).json
    response = client.post("/api/v1/cases", json={**GOOD, "photos": [theirs["id"]]}, headers=people.h(people.citizen))
    assert response.status_code == 422
    assert _count(db) == 0


def test_about_an_item_is_checked_against_the_published_catalogue(client, people, clock, db):
    guides_services = pytest.importorskip("guides.services")
    guides_services.load_sample_catalogue(db, clock)
    code = guides_services.list_published_items(db)[0].code
    db.commit()
    ok = submit(client, people, kind="consultation", category="service.materials", text="要带什么材料？",
                about_type="item", about_ref=code)
    assert ok["about_ref"] == code
    unknown = client.post("/api/v1/cases", json={**GOOD, "about_type": "item", "about_ref": "NO-SUCH-ITEM"},
                          headers=people.h(people.citizen))
    assert unknown.status_code == 422 and "about" in unknown.json["errors"]
    assert _count(db) == 1


def test_out_of_range_ids_are_4xx_not_500(client, people, served, db):
    huge = 2**31
    assert client.get(f"/api/v1/cases/{huge}", headers=people.h(people.citizen)).status_code == 404
    assert client.get(f"/api/v1/cases/{10**30}", headers=people.h(people.citizen)).status_code == 404
    assert client.get(f"/api/v1/staff/cases/{huge}", headers=people.h(people.gongan)).status_code == 404
    assert client.get(f"/api/v1/staff/rectifications/{huge}", headers=people.h(people.gongan)).status_code == 404
    assert client.post(f"/api/v1/staff/cases/{huge}/reply", json={"text": "x"},
                       headers=people.h(people.gongan)).status_code == 404
    assert client.post(f"/api/v1/ratings/{huge}/rectification/rating", json={"level": "satisfied"},
                       headers=people.h(people.citizen)).status_code == 404
    case = submit(client, people)
    assert client.get(f"/api/v1/cases/{case['id']}/photos/{huge}",
                      headers=people.h(people.citizen)).status_code == 404
    for body in ({**GOOD, "photos": [huge]}, {**GOOD, "about_type": "application", "about_ref": str(huge)},
                 {**GOOD, "about_type": "window", "about_ref": "²"}):
        assert client.post("/api/v1/cases", json=body, headers=people.h(people.citizen)).status_code == 422
    rating = client.post("/api/v1/ratings", json={"event_kind": "ticket", "event_id": huge, "level": "satisfied"},
                         headers=people.h(people.citizen))
    assert rating.status_code == 422
    assert _count(db) == 1
