"""The `application` part of `POST /api/v1/applications/submit` is declared as
an object sent as application/json (docs/api-contract.md). Generators send it
either as a plain part (openapi-python-client) or as a part with a file name
(a browser's FormData with a Blob, openapi-generator's typescript-fetch): both
are the same request."""

from __future__ import annotations

import io
import json

from .conftest import ITEM, good_form, jpeg_bytes, pdf_bytes, png_bytes

URL = "/api/v1/applications/submit"


def _send(flow, *, as_file: bool, key: str | None = None):
    text = json.dumps({"item_code": ITEM, "form": good_form()}, ensure_ascii=False)
    part = (io.BytesIO(text.encode()), "blob", "application/json") if as_file else text
    data = {"application": part}
    for code, content in {"M01": pdf_bytes(), "M02": jpeg_bytes(), "M03": png_bytes()}.items():
        data[f"files.{code}"] = (io.BytesIO(content), f"{code}.bin")
    headers = flow.h(**({"Idempotency-Key": key} if key else {}))
    return flow.client.post(URL, data=data, content_type="multipart/form-data", headers=headers)


def test_a_json_part_sent_as_a_blob_submits_and_is_not_taken_for_a_material(flow):
    answer = _send(flow, as_file=True)
    assert answer.status_code == 201, answer.json
    assert answer.json["status"] == "submitted"
    assert sorted(f["material_code"] for f in answer.json["files"]) == ["M01", "M02", "M03"]


def test_a_retry_with_the_json_part_sent_the_other_way_is_the_same_request(flow):
    first = _send(flow, as_file=False, key="json-part-0001")
    again = _send(flow, as_file=True, key="json-part-0001")
    assert first.status_code == 201, first.json
    assert again.status_code == 201 and again.headers.get("Idempotent-Replayed") == "true", again.json
    assert again.json["id"] == first.json["id"]
