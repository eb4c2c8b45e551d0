"""A contract any generator takes: walked over the whole served document, so
a new schema, field or operation cannot fall back (docs/api-contract.md)."""

from __future__ import annotations

import pytest
from openapi_schema_validator import OAS30Validator

# Types a generated client defines itself: a schema of the same name shadows
# or clashes with them. openapi-python-client: types.py (File, Response,
# Unset, UNSET), client.py (Client, AuthenticatedClient), errors.py;
# openapi-generator's clients: Error, Object, Configuration, ApiClient, ...
GENERATOR_NAMES = {"File", "FileTypes", "Response", "Unset", "UNSET", "Types", "Client", "AuthenticatedClient",
                   "Errors", "UnexpectedStatus", "Error", "Object", "Configuration", "ApiClient", "ApiException",
                   "ApiResponse", "BaseApi", "RequiredError", "Blob", "Date", "Map", "List", "Any", "Models", "Api"}

# Property names whose values form a closed set wherever they appear.
CLOSED = {"status", "state", "kind", "level", "role", "channel", "channels", "source", "lane", "event_kind",
          "satisfaction", "about_type", "extension_status", "rectification_state", "citizen_level", "delivery_method",
          "item_type", "principal_kind", "actor_kind", "actor_role", "from_status", "to_status", "rated_by", "period",
          "group_by", "priority_reason", "token_type", "provided_by", "flag", "decision", "outcome", "method",
          "service_object", "type", "event", "database", "redis"}
# Where a closed name is not a closed set; why, per entry.
OPEN = {
    "Problem.status": "the HTTP status, an integer",
    "Problem.type": "RFC 9457: a URI reference",
    "Problem.method": "the HTTP method of a 405, echoed",
}

METHODS = ("get", "put", "post", "patch", "delete")


@pytest.fixture
def spec(client):
    return client.get("/api/v1/openapi.json").json


def _operations(spec):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield f"{method.upper()} {path}", operation


def _media(operation):
    for content_type, content in (operation.get("requestBody") or {}).get("content", {}).items():
        yield "request", content_type, content
    for status, response in operation["responses"].items():
        if status.startswith("2"):
            for content_type, content in response.get("content", {}).items():
                yield status, content_type, content


def _properties(name, schema):
    """(where, property name, property schema) of a schema and every schema inline in it."""
    for field, prop in (schema.get("properties") or {}).items():
        yield f"{name}.{field}", field, prop
        for key in ("items", "additionalProperties"):
            inner = prop.get(key)
            if isinstance(inner, dict) and "properties" in inner:
                yield from _properties(f"{name}.{field}[]", inner)


def _all_properties(spec):
    for name, schema in spec["components"]["schemas"].items():
        yield from _properties(name, schema)
    for where, operation in _operations(spec):
        for status, _, content in _media(operation):
            yield from _properties(f"{where} {status}", content.get("schema", {}))


def test_the_title_is_ascii_for_package_names_and_the_chinese_title_is_kept(spec):
    assert spec["info"]["title"].isascii() and spec["info"]["title"].strip()
    assert spec["info"]["x-title-zh"] == "指尖办事 API"


def test_no_schema_is_named_like_a_generators_own_types(spec):
    clashes = sorted(set(spec["components"]["schemas"]) & GENERATOR_NAMES)
    assert clashes == []
    assert "MaterialFile" in spec["components"]["schemas"]


def test_the_one_request_submit_types_its_json_part(spec):
    content = spec["paths"]["/api/v1/applications/submit"]["post"]["requestBody"]["content"]["multipart/form-data"]
    assert content["schema"]["properties"]["application"] == {"$ref": "#/components/schemas/ApplicationSubmitOnce"}
    assert content["encoding"]["application"]["contentType"] == "application/json"
    assert content["schema"]["additionalProperties"]["format"] == "binary"


def test_every_request_body_and_every_success_answer_has_an_example_valid_against_its_schema(spec):
    missing, invalid = [], []
    for where, operation in _operations(spec):
        for status, content_type, content in _media(operation):
            if "schema" not in content:
                continue
            if "example" not in content and "examples" not in content:
                missing.append(f"{where} {status} {content_type}")
                continue
            if content_type == "application/json":
                validator = OAS30Validator(dict(content["schema"], components=spec["components"]))
                errors = [e.message for e in validator.iter_errors(content["example"])]
                if errors:
                    invalid.append(f"{where} {status}: {errors[:2]}")
    assert missing == [], "\n".join(missing)
    assert invalid == [], "\n".join(invalid)


def test_every_property_and_parameter_has_a_description(spec):
    schemas = spec["components"]["schemas"]

    def described(prop):  # beside a $ref a description is ignored (OpenAPI 3.0): the schema's own stands
        ref = prop.get("$ref", "").rpartition("/")[2]
        return bool(prop.get("description") or (ref and schemas[ref].get("description")))

    undescribed = [where for where, _, prop in _all_properties(spec) if not described(prop)]
    for where, operation in _operations(spec):
        undescribed += [f"{where} {p['in']} {p['name']}" for p in operation.get("parameters", [])
                        if "$ref" not in p and not p.get("description")]
    assert undescribed == []


def test_closed_sets_are_enums(spec):
    def closed(prop):
        prop = prop.get("items", prop) if prop.get("type") == "array" else prop
        return "enum" in prop or "$ref" in prop or "allOf" in prop or prop.get("type") != "string"

    open_ = [where for where, field, prop in _all_properties(spec)
             if field in CLOSED and where not in OPEN and not closed(prop)]
    open_ += [f"{where} {p['name']}" for where, operation in _operations(spec)
              for p in operation.get("parameters", []) if p.get("in") == "query" and p.get("name") in CLOSED
              and not closed(p.get("schema", {}))]
    assert open_ == []
