"""Descriptions and examples for the whole document, in one pass after every
operation is complete.

- Every property of a component schema and every query parameter without a
  description takes the platform's word for it (vocabulary.py); the same for
  examples where the vocabulary has one.
- Every request body and every 2xx JSON answer gets a media-type `example`,
  composed from its schema: a property's `example`, else null where it may
  be null, else the first value of its enum, else a value of its format
  (date, date-time), else a plain number or true; required properties
  always, optional ones where they carry an example. A string with nothing to
  go by has no example, and the contract test names it.
"""

from __future__ import annotations

from .vocabulary import description_for, example_for

SAMPLE_DATE = "2026-11-27"
SAMPLE_DATE_TIME = "2026-11-27T01:30:00Z"
EXAMPLE_MEDIA_TYPES = ("application/json", "multipart/form-data")


class NoExample(Exception):
    """A value the composer cannot make up; names where it is."""


def _ref_name(schema: dict) -> str | None:
    ref = schema.get("$ref", "")
    return ref.rsplit("/", 1)[-1] if ref.startswith("#/components/schemas/") else None


def fill_schema(name: str, schema: dict) -> None:
    for field, prop in (schema.get("properties") or {}).items():
        described = description_for(name, field)
        if "description" not in prop and described:
            if "$ref" in prop:  # a description beside $ref is ignored in OpenAPI 3.0: wrap it
                prop["allOf"] = [{"$ref": prop.pop("$ref")}]
            prop["description"] = described
        has_example, example = example_for(name, field)
        if has_example and "example" not in prop and _fits(example, prop):
            prop["example"] = example


_JSON_TYPES = {"string": str, "integer": int, "number": (int, float), "boolean": bool, "array": list, "object": dict}


def _fits(example, prop: dict) -> bool:
    """A word's example serves where the field is of its kind; an enum or a
    schema of its own speaks for itself."""
    if "enum" in prop or "$ref" in prop or "allOf" in prop or prop.get("type") not in _JSON_TYPES:
        return False
    if isinstance(example, bool) and prop["type"] != "boolean":
        return False
    if prop["type"] == "array" and "enum" in prop.get("items", {}):
        return False
    return isinstance(example, _JSON_TYPES[prop["type"]])


def fill_parameters(operation: dict) -> None:
    for parameter in operation.get("parameters", []):
        if isinstance(parameter, dict) and "description" not in parameter:
            described = description_for("query", parameter.get("name", ""))
            if described:
                parameter["description"] = described


def compose(schema: dict, schemas: dict, where: str = "", depth: int = 0):
    """An example value for `schema` (see the module docstring); NoExample if none."""
    if depth > 8:
        raise NoExample(f"{where}: nested too deep")
    if "example" in schema:
        return schema["example"]
    name = _ref_name(schema)
    if name:
        return compose(schemas[name], schemas, name, depth + 1)
    for combinator in ("allOf", "oneOf", "anyOf"):
        if schema.get(combinator):
            return compose(schema[combinator][0], schemas, where, depth + 1)
    if schema.get("nullable"):
        return None  # nothing said about it: absent, as on a fresh object
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        required = set(schema.get("required", []))
        value = {}
        for field, prop in (schema.get("properties") or {}).items():
            if prop.get("format") == "binary":  # a file part: no JSON value stands for it
                continue
            if field in required or _has_example(prop, schemas):
                value[field] = compose(prop, schemas, f"{where}.{field}", depth + 1)
        return value
    if kind == "array":
        return [compose(schema.get("items", {}), schemas, f"{where}[]", depth + 1)]
    if kind == "boolean":
        return True
    if kind == "integer":
        return max(int(schema.get("minimum", 1)), 1)
    if kind == "number":
        return float(schema.get("minimum", 0))
    if kind == "string":
        if schema.get("format") == "date":
            return SAMPLE_DATE
        if schema.get("format") == "date-time":
            return SAMPLE_DATE_TIME
    raise NoExample(f"{where}: no example, enum or format to make one from")


def _has_example(prop: dict, schemas: dict) -> bool:
    if "example" in prop:
        return True
    name = _ref_name(prop) or _ref_name((prop.get("allOf") or [{}])[0])
    return bool(name and "example" in schemas[name])


def add_examples(operation: dict, schemas: dict) -> list[str]:
    """Media-type examples for the request body and the 2xx answers; what could not be composed."""
    missing = []
    media = [("request", c) for c in (operation.get("requestBody") or {}).get("content", {}).items()]
    for status, response in operation.get("responses", {}).items():
        if status.startswith("2"):
            media += [(status, c) for c in response.get("content", {}).items()]
    for where, (content_type, content) in media:
        written = "example" in content or "examples" in content
        if content_type not in EXAMPLE_MEDIA_TYPES or written or "schema" not in content:
            continue
        try:
            content["example"] = compose(content["schema"], schemas, f"{operation.get('operationId')} {where}")
        except NoExample as exc:
            missing.append(str(exc))
    return missing


def complete(spec) -> list[str]:
    """Fill the apispec document in place; returns what has no example."""
    schemas = spec.components.schemas
    for name, schema in schemas.items():
        fill_schema(name, schema)
    missing = []
    for item in spec._paths.values():
        for operation in item.values():
            if isinstance(operation, dict) and "responses" in operation:
                fill_parameters(operation)
                missing += add_examples(operation, schemas)
    return missing
