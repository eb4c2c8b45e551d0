"""Bad input: clear 4xx naming what is wrong, and nothing changed."""

from __future__ import annotations

from .conftest import ITEM, good_form, jpeg_bytes, pdf_bytes, png_bytes, valid_id


def test_form_validation_names_each_field(flow):
    bad = flow.create(form={"name": "张", "id_number": "441900199003071234", "reason": "不存在的选项",
                            "disability_cert_no": 12345, "shoe_size": 42})
    assert bad.status_code == 422
    assert bad.headers["Content-Type"] == "application/problem+json"
    assert bad.json["code"] == "submissions.form_invalid"
    assert set(bad.json["errors"]) == {"name", "id_number", "reason", "disability_cert_no", "shoe_size"}
    assert "身份证" in bad.json["errors"]["id_number"][0]
    assert flow.client.get("/api/v1/applications", headers=flow.h()).json == []


def test_request_shape_errors(flow, client):
    assert flow.create(item="999999999999").json["code"] == "submissions.item_not_available"
    both = client.post("/api/v1/applications", json={"item_code": ITEM, "theme_id": "x"}, headers=flow.h())
    assert both.status_code == 422 and "item_code" in both.json["errors"]
    wrong_type = client.post("/api/v1/applications", json={"item_code": ITEM, "form": ["a"]}, headers=flow.h())
    assert wrong_type.status_code == 422 and "form" in wrong_type.json["errors"]
    post = flow.create(delivery_method="post")
    assert post.status_code == 422 and post.json["errors"] == {"postal_address": ["请填写邮寄地址"]}
    commitment = flow.create(commitments=["M03"])
    assert commitment.status_code == 422 and commitment.json["code"] == "submissions.form_invalid"
    assert client.post("/api/v1/applications", data="{", content_type="application/json",
                       headers=flow.h()).status_code == 400
    assert client.post("/api/v1/applications", json={"item_code": ITEM}).status_code == 401


def test_submit_needs_every_required_field(flow):
    app_id = flow.create(form={"name": "张三"}).json["id"]
    for code in ("M01", "M02", "M03"):
        flow.upload(app_id, code)
    answer = flow.submit(app_id)
    assert answer.status_code == 422 and answer.json["code"] == "submissions.form_invalid"
    assert set(answer.json["errors"]) == {"id_number", "disability_cert_no", "reason"}
    assert flow.get(app_id).json["status"] == "draft"


def test_files_recognised_by_content_not_name(flow, client):
    app_id = flow.create().json["id"]
    fake_pdf = flow.upload(app_id, "M03", b"this is not really a pdf at all", "scan.pdf")
    assert fake_pdf.status_code == 422 and fake_pdf.json["code"] == "submissions.file_type_rejected"
    truncated_pdf = flow.upload(app_id, "M03", b"%PDF-1.4\n1 0 obj << >> endobj\n", "cut.pdf")
    assert truncated_pdf.json["code"] == "submissions.file_type_rejected"
    broken_png = flow.upload(app_id, "M03", png_bytes()[:30], "photo.png")
    assert broken_png.json["code"] == "submissions.file_type_rejected"
    empty = flow.upload(app_id, "M03", b"", "empty.png")
    assert empty.status_code == 422 and empty.json["code"] == "submissions.file_empty"
    unknown = flow.upload(app_id, "M42")
    assert unknown.status_code == 422 and unknown.json["code"] == "submissions.material_unknown"
    assert flow.get(app_id).json["files"] == []

    # A real PDF named .jpg and a JPEG named .pdf are taken for what they are.
    pdf = flow.upload(app_id, "M01", pdf_bytes(), "photo.jpg")
    assert pdf.status_code == 201 and pdf.json["content_type"] == "application/pdf"
    jpeg = flow.upload(app_id, "M02", jpeg_bytes(), "doc.pdf")
    assert jpeg.json["content_type"] == "image/jpeg"

    missing = client.post(f"/api/v1/applications/{app_id}/materials", data={"material_code": "M03"},
                          headers=flow.h(), content_type="multipart/form-data")
    assert missing.status_code == 422 and missing.json["errors"] == {"file": ["缺少文件"]}


def test_size_limits(flow, app):
    app.config["SUBMISSIONS_MAX_FILE_BYTES"] = 2048
    app.config["SUBMISSIONS_MAX_APPLICATION_BYTES"] = 3000
    app_id = flow.create().json["id"]
    big = flow.upload(app_id, "M03", pdf_bytes(b"x" * 4000))
    assert big.status_code == 413 and big.json["code"] == "submissions.file_too_large"
    assert flow.upload(app_id, "M03", pdf_bytes(b"y" * 1500)).status_code == 201
    over = flow.upload(app_id, "M01", pdf_bytes(b"z" * 1500))
    assert over.status_code == 413 and over.json["code"] == "submissions.application_too_large"
    assert len(flow.get(app_id).json["files"]) == 1


def test_material_of_another_application(flow, client):
    first = flow.create().json["id"]
    second = flow.create().json["id"]
    file_id = flow.upload(first, "M03").json["id"]
    answer = client.delete(f"/api/v1/applications/{second}/materials/{file_id}", headers=flow.h())
    assert answer.status_code == 404 and answer.json["code"] == "submissions.file_not_found"
    assert client.get(f"/api/v1/applications/{second}/materials/{file_id}/content",
                      headers=flow.h()).status_code == 404
    assert len(flow.get(first).json["files"]) == 1


def test_same_bytes_stored_once(flow, app):
    app_id = flow.create().json["id"]
    photo = png_bytes(color=(1, 2, 3))
    a = flow.upload(app_id, "M03", photo).json
    b = flow.upload(app_id, "M01", photo).json
    assert a["sha256"] == b["sha256"] and a["id"] != b["id"]
    store = app.extensions["submissions_storage"]
    assert store.path_for(a["sha256"]).read_bytes() == photo
    assert not any((store.root / ".incoming").iterdir())  # no temporary files left behind


def test_no_uploads_after_submission(flow):
    app_id = flow.submitted()
    answer = flow.upload(app_id, "M03")
    assert answer.status_code == 409 and answer.json["code"] == "submissions.not_editable"


def test_id_number_checksum_is_checked(flow):
    wrong = valid_id()[:-1] + ("0" if valid_id()[-1] != "0" else "1")
    answer = flow.create(form=good_form(id_number=wrong))
    assert answer.status_code == 422 and set(answer.json["errors"]) == {"id_number"}


def test_file_count_limit(flow, app):
    app.config["SUBMISSIONS_MAX_FILES_PER_APPLICATION"] = 2
    app_id = flow.create().json["id"]
    assert flow.upload(app_id, "M01").status_code == 201
    assert flow.upload(app_id, "M02").status_code == 201
    third = flow.upload(app_id, "M03")
    assert third.status_code == 413 and third.json["code"] == "submissions.too_many_files"
    assert len(flow.get(app_id).json["files"]) == 2


def test_openapi_documents_the_endpoints(client):
    spec = client.get("/api/v1/openapi.json").json
    for path in ("/api/v1/applications/{application_id}/submit", "/api/v1/staff/applications/{application_id}/accept",
                 "/api/v1/supervision/applications", "/api/v1/certificates/verify",
                 "/api/v1/theme-applications/{bundle_id}/submit"):
        assert path in spec["paths"], path
    assert "required" in spec["components"]["schemas"]["Application"]
