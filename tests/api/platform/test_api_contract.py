"""The OpenAPI document as the contract the client teams compile against."""

import json

import pytest
from openapi_spec_validator import validate

from mobile_api.contract import catalog
from tests.contract import ContractViolation, check_response

OPERATION_METHODS = ("get", "put", "post", "patch", "delete")


def operations(spec):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in OPERATION_METHODS:
                yield path, method, operation


@pytest.fixture
def spec(client):
    document = client.get("/api/v1/openapi.json").json
    validate(document)
    return document


def test_every_operation_has_a_unique_readable_operation_id(spec):
    ids = [operation.get("operationId") for _, _, operation in operations(spec)]
    assert None not in ids
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    assert "booking_createAppointment" in ids and "feedback_cases_submitCase" in ids


def test_the_committed_snapshot_is_the_document_the_code_serves(spec):
    """A change of the API must be deliberate: `flask contract write`, review the diff, commit."""
    committed = json.loads(catalog.SNAPSHOT_PATH.read_text(encoding="utf-8"))
    assert committed == json.loads(json.dumps(spec)), (
        "the OpenAPI document changed: run `flask contract write` and commit docs/openapi.snapshot.json")


def test_the_error_code_page_is_generated_from_the_code(spec):
    assert catalog.ERRORS_DOC_PATH.read_text(encoding="utf-8") == catalog.render_errors_doc(spec), (
        "run `flask contract write` and commit docs/errors.md")


def test_every_error_answer_is_problem_json_with_the_codes_of_its_status(spec):
    for path, method, operation in operations(spec):
        for status, response in operation["responses"].items():
            if status == "default" or int(status) >= 400:
                assert list(response["content"]) == ["application/problem+json"], (path, method, status)
            if status != "default" and int(status) >= 400:
                codes = response["content"]["application/problem+json"]["schema"]["properties"]["code"]["enum"]
                assert codes == [entry["code"] for entry in response["x-error-codes"]]
    for response in spec["components"]["responses"].values():
        assert "application/json" not in response.get("content", {})


def test_problem_allows_the_extension_members_the_server_sends(spec):
    problem = spec["components"]["schemas"]["Problem"]
    assert problem["additionalProperties"] is True
    assert {"last_bookable_date", "wechat_errcode", "blocked_until", "errors"} <= set(problem["properties"])


def test_a_view_error_code_is_documented_on_its_operation(spec):
    responses = spec["paths"]["/api/v1/booking/appointments"]["post"]["responses"]
    assert "booking.slot_full" in [e["code"] for e in responses["409"]["x-error-codes"]]
    assert "booking.beyond_horizon" in [e["code"] for e in responses["422"]["x-error-codes"]]
    assert "idempotency.key_reused" in [e["code"] for e in responses["422"]["x-error-codes"]]
    assert "auth.token_expired" in [e["code"] for e in responses["401"]["x-error-codes"]]


def test_headers_are_declared_where_they_are_honoured_and_sent(spec, app):
    documented = {operation["operationId"] for _, _, operation in operations(spec)
                  if any(p.get("name") == "Idempotency-Key" for p in operation.get("parameters", []))}
    honoured = {endpoint for endpoint, view in app.view_functions.items() if getattr(view, "_idempotent", False)}
    assert len(documented) == len(honoured) >= 12
    assert {"booking_createAppointment", "submissions_submitWithMaterials", "feedback_ratings_createRating"} <= documented
    create = spec["paths"]["/api/v1/booking/appointments"]["post"]
    assert "Idempotent-Replayed" in create["responses"]["201"]["headers"]
    guide = spec["paths"]["/api/v1/guides/items/{code}"]["get"]
    assert any(p["name"] == "If-None-Match" for p in guide["parameters"])
    assert "ETag" in guide["responses"]["200"]["headers"] and "ETag" in guide["responses"]["304"]["headers"]
    submit = spec["paths"]["/api/v1/applications/submit"]["post"]
    assert any(p["name"] == "X-Step-Up-Token" for p in submit["parameters"])
    for path, method, operation in operations(spec):
        for status, response in operation["responses"].items():
            assert "X-Request-ID" in response["headers"], (path, method, status)
            has_retry_after = "Retry-After" in response["headers"]
            assert has_retry_after == (status in ("423", "429", "503")), (path, method, status)


def test_retry_after_is_not_sent_on_an_ordinary_answer(client, make):
    response = client.get("/api/v1/auth/whoami", headers=make.headers(make.citizen()))
    assert response.status_code == 200 and "Retry-After" not in response.headers


def test_the_contract_check_fails_on_drift(app):
    def answer(status, body, mimetype="application/problem+json"):
        return app.response_class(json.dumps(body), status=status, mimetype=mimetype)

    problem = {"type": "t", "title": "t", "status": 409, "detail": "d", "code": "booking.slot_full"}
    check_response(app, "POST", "/api/v1/booking/appointments", answer(409, problem))
    with pytest.raises(ContractViolation, match="is not one of"):
        check_response(app, "POST", "/api/v1/booking/appointments", answer(409, dict(problem, code="x.unknown")))
    with pytest.raises(ContractViolation, match="content type"):
        check_response(app, "POST", "/api/v1/booking/appointments", answer(409, problem, "application/json"))
    with pytest.raises(ContractViolation, match="not declared"):
        check_response(app, "POST", "/api/v1/booking/appointments", answer(418, problem))
    with pytest.raises(ContractViolation, match="does not match"):
        check_response(app, "POST", "/api/v1/booking/appointments", answer(201, {"id": "not an object's id"},
                                                                             "application/json"))
