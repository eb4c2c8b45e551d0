"""feedback's part of the OpenAPI document is valid and complete."""

from openapi_spec_validator import validate


def test_feedback_paths_are_documented_and_valid(client):
    spec = client.get("/api/v1/openapi.json").json
    mine = {path: ops for path, ops in spec["paths"].items()
            if path.startswith(("/api/v1/cases", "/api/v1/ratings", "/api/v1/feedback", "/api/v1/staff/cases",
                                "/api/v1/staff/ratings", "/api/v1/staff/rectifications"))}
    assert {"/api/v1/cases", "/api/v1/cases/{case_id}/reopen", "/api/v1/staff/cases/{case_id}/extend",
            "/api/v1/ratings/stats", "/api/v1/staff/rectifications/{rect_id}/appeal/decision"} <= set(mine)
    validate({**spec, "paths": mine})
    for path, ops in mine.items():
        for method, op in ops.items():
            if method in ("get", "post"):
                assert op.get("summary"), (path, method)
    case = spec["components"]["schemas"]["CaseDetail"]
    assert {"id", "state", "reply_due_at", "timeline", "photos"} <= set(case["required"])
