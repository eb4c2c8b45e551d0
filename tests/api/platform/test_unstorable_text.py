"""Issue 16, defect 6: text no column can hold (NUL, a lone UTF-16
surrogate; in an upload's filename any control character) is a 422
`platform.unstorable_text` naming the field, for every request schema of the
app: the test walks the OpenAPI document, so an operation added later is
covered without a line here."""

from __future__ import annotations

import io
import json

import pytest

SURROGATE = "a\ud800b"  # what "a\\ud800b" in JSON text decodes to
NUL = "a\x00b"
CODE = "platform.unstorable_text"


@pytest.fixture
def spec(client):
    return client.get("/api/v1/openapi.json").get_json()


def _resolve(spec, schema):
    while isinstance(schema, dict) and "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema or {}


def _operations(spec, content_type):
    for path, item in sorted(spec["paths"].items()):
        for method, operation in sorted(item.items()):
            if not isinstance(operation, dict):
                continue
            content = (operation.get("requestBody") or {}).get("content", {})
            if content_type in content:
                yield method, path, _resolve(spec, content[content_type]["schema"])


def _url(path):
    # Every id 1: the guard answers before any object is looked up.
    out, inside = "", False
    for part in path.replace("{", "\x01").replace("}", "\x02"):
        if part == "\x01":
            inside = True
            out += "1"
        elif part == "\x02":
            inside = False
        elif not inside:
            out += part
    return out


def _send_json(client, method, path, body):
    # json.dumps escapes the surrogate ("\\ud800"), as a hostile client sends it.
    return client.open(_url(path), method=method.upper(), data=json.dumps(body), content_type="application/json")


def _problem(response, field):
    assert response.status_code == 422, (response.status_code, response.get_data(as_text=True)[:300])
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["code"] == CODE and field in body["errors"] and field in body["detail"], body
    return body


def test_every_json_field_of_every_request_schema(client, spec):
    checked = 0
    for method, path, schema in _operations(spec, "application/json"):
        for name in schema.get("properties", {}):
            for bad in (SURROGATE, NUL):
                response = _send_json(client, method, path, {name: bad})
                _problem(response, name)
                checked += 1
        # deeper, and in a key: the whole decoded value is walked
        response = _send_json(client, method, path, {"outer": [{"k\ud800": "v"}]})
        assert response.status_code == 422 and response.get_json()["code"] == CODE, (method, path)
    assert checked > 100  # the walk did reach the app's schemas
    # the two reported endpoints, as the sweep sent them (the JSON text holds the escape)
    for method, path in (("POST", "/api/v1/cases"), ("PUT", "/api/v1/applications/1")):
        raw = '{"text": "\\ud800", "form": {"reason": "\\udfff"}}'
        response = client.open(path, method=method, data=raw, content_type="application/json")
        assert response.status_code == 422 and response.get_json()["code"] == CODE


def test_every_query_parameter(client, spec):
    checked = 0
    for path, item in sorted(spec["paths"].items()):
        for method, operation in item.items():
            if method != "get":
                continue
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "query":
                    response = client.get(_url(path), query_string={parameter["name"]: NUL})
                    _problem(response, parameter["name"])
                    checked += 1
    assert checked > 20


def _binary_extra(schema):
    extra = schema.get("additionalProperties")
    return isinstance(extra, dict) and extra.get("format") == "binary"


def _multipart_body(schema, bad_field, bad_kind):
    data = {}
    properties = dict(schema.get("properties", {}))
    if _binary_extra(schema):
        properties["files.M03"] = {"type": "string", "format": "binary"}
    for name, prop in properties.items():
        binary = prop.get("format") == "binary" or prop.get("items", {}).get("format") == "binary"
        filename = "photo.png"
        if binary:
            if name == bad_field:
                filename = {"nul": "a\x00.png", "control": "a\x1b[31m.png", "surrogate": "a\ud800.png"}[bad_kind]
            data[name] = (io.BytesIO(b"\x89PNG\r\n\x1a\n"), filename)
        else:
            data[name] = NUL if name == bad_field else "x"
    return data


def test_every_multipart_field_and_filename(client, spec, make):
    """Multipart is checked where it is parsed (after authentication), so each
    operation is tried as the principals that might call it."""
    people = [make.citizen(), make.kiosk(hall_id=1)[0], make.staff("admin", None, None)]
    headers = [make.headers(p) for p in people]
    checked = 0
    for method, path, schema in _operations(spec, "multipart/form-data"):
        fields = list(schema.get("properties", {}))
        if _binary_extra(schema):
            fields.append("files.M03")
        for field in fields:
            prop = schema.get("properties", {}).get(field, {"format": "binary"})
            binary = prop.get("format") == "binary" or prop.get("items", {}).get("format") == "binary"
            for kind in (("nul", "control") if binary else ("nul",)):
                answers = []
                for h in headers:
                    response = client.open(_url(path), method=method.upper(), headers=h,
                                           data=_multipart_body(schema, field, kind),
                                           content_type="multipart/form-data")
                    assert response.status_code < 500, (path, field, response.get_data(as_text=True)[:300])
                    answers.append(response)
                refused = [r for r in answers if r.status_code == 422 and r.get_json().get("code") == CODE]
                assert refused, (method, path, field, kind, [(r.status_code, r.get_json()) for r in answers])
                _problem(refused[0], field)
                checked += 1
    assert checked >= 5


def test_json_inside_the_one_request_form_field(client, flow_citizen_headers):
    """POST /applications/submit carries the application as JSON text in a
    form field, where the escape is plain ASCII until the view decodes it."""
    body = json.dumps({"item_code": "130300020000", "form": {"reason": "\ud800"}})
    response = client.post("/api/v1/applications/submit", headers=flow_citizen_headers,
                           data={"application": body}, content_type="multipart/form-data")
    body = _problem(response, "application.form.reason")


@pytest.fixture
def flow_citizen_headers(make):
    return make.headers(make.citizen())
