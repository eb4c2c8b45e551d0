"""The contract test: every answer the API tests receive is checked against
the OpenAPI document the clients are generated from.

For each response: its operation (method + path template) must be in the
document, its status declared (`default` only stands for 5xx), its content
type among those declared, its JSON body valid against the declared schema
(a problem's `code` among the codes declared for that status), and the
headers Retry-After / Idempotent-Replayed / ETag / X-Pagination only where
declared. A difference fails the test that made the request, so drift
between code and document fails CI.
"""

from __future__ import annotations

import json
import re

from flask.testing import FlaskClient
from openapi_schema_validator import OAS30Validator

CHECKED_HEADERS = ("Retry-After", "Idempotent-Replayed", "ETag", "X-Pagination")
_state: dict = {}


class ContractViolation(AssertionError):
    pass


def _compile_paths(spec: dict) -> list[tuple[re.Pattern, str]]:
    compiled = []
    for template in spec["paths"]:
        pattern = re.escape(template)
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", pattern)
        compiled.append((re.compile(f"^{pattern}$"), template))
    # A literal segment wins over a parameter: fewer parameters first.
    compiled.sort(key=lambda entry: entry[1].count("{"))
    return compiled


def _load(app) -> dict:
    if "spec" not in _state:
        spec = app.extensions["api"].spec.to_dict()
        _state.update(spec=json.loads(json.dumps(spec)), paths=_compile_paths(spec), validators={})
    return _state


def _validator(state, key, schema):
    if key not in state["validators"]:
        document = dict(schema, components=state["spec"]["components"])
        state["validators"][key] = OAS30Validator(document)
    return state["validators"][key]


def check_response(app, method: str, path: str, response) -> None:
    state = _load(app)
    template = next((t for pattern, t in state["paths"] if pattern.match(path)), None)
    if template is None:
        return  # not an API operation (a deliberately unknown path, the docs assets)
    operation = state["spec"]["paths"][template].get(method.lower())
    if operation is None or "operationId" not in operation:
        # A method the path does not have (405), or a test's own blueprint
        # registered after create_app, which the shell never completed.
        return
    status = response.status_code
    where = f"{method} {template} → {status}"
    declared = operation["responses"].get(str(status))
    if declared is None and status >= 500:
        declared = operation["responses"].get("default")
    if declared is None:
        raise ContractViolation(f"{where}: status not declared in the OpenAPI document "
                                f"(body: {response.get_data(as_text=True)[:300]})")
    if "$ref" in declared:
        declared = state["spec"]["components"]["responses"][declared["$ref"].rsplit("/", 1)[1]]
    declared_headers = {name.lower() for name in declared.get("headers", {})}
    for header in CHECKED_HEADERS:
        if header in response.headers and header.lower() not in declared_headers:
            raise ContractViolation(f"{where}: header {header} sent but not declared")
    content = declared.get("content") or {}
    body = response.get_data()
    if not content or not body or status in (204, 304):
        return
    mimetype = response.mimetype
    if mimetype not in content:
        raise ContractViolation(f"{where}: content type {mimetype} not among {sorted(content)}")
    schema = content[mimetype].get("schema")
    if schema is None or not mimetype.endswith("json"):
        return
    errors = sorted(_validator(state, (template, method, status, mimetype), schema).iter_errors(response.get_json()),
                    key=lambda e: list(e.path))
    if errors:
        details = "; ".join(f"{'/'.join(map(str, e.path)) or '(root)'}: {e.message[:200]}" for e in errors[:5])
        raise ContractViolation(f"{where}: body does not match the document: {details}")


class ContractCheckingClient(FlaskClient):
    def open(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        request = response.request
        check_response(self.application, request.method, request.path, response)
        return response
