"""How the contract composes media-type examples and fills the platform's
words (mobile_api.contract.examples); the walk over the whole served
document is tests/api/platform/test_contract_for_generators.py."""

import pytest

from mobile_api.contract.examples import NoExample, compose, fill_schema

SCHEMAS = {
    "Slot": {"type": "object", "required": ["time", "status", "starts_at", "cancelled_at"], "properties": {
        "time": {"type": "string", "example": "09:30"},
        "status": {"type": "string", "enum": ["booked", "cancelled"]},
        "starts_at": {"type": "string", "format": "date-time"},
        "cancelled_at": {"type": "string", "format": "date-time", "nullable": True},
        "note": {"type": "string"},
        "file": {"type": "string", "format": "binary"}}},
}


def test_required_fields_are_composed_from_example_enum_and_format_optional_ones_only_with_an_example():
    value = compose({"type": "array", "items": {"$ref": "#/components/schemas/Slot"}}, SCHEMAS)
    assert value == [{"time": "09:30", "status": "booked", "starts_at": "2026-11-27T01:30:00Z",
                      "cancelled_at": None}]


def test_a_required_string_with_nothing_to_go_by_is_named():
    with pytest.raises(NoExample, match=r"Body\.name"):
        compose({"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}, {}, "Body")


def test_the_vocabulary_fills_only_what_a_field_does_not_say_and_only_where_its_example_fits():
    schema = {"properties": {
        "item_code": {"type": "string"},
        "hall_id": {"type": "string", "description": "own words"},
        "level": {"type": "string", "enum": ["city", "town"]},
        "form": {"type": "string"},
        "deadline": {"$ref": "#/components/schemas/Deadline"}}}
    fill_schema("Anything", schema)
    props = schema["properties"]
    assert props["item_code"]["description"] == "事项编码（12 位）" and props["item_code"]["example"] == "130300020000"
    assert props["hall_id"]["description"] == "own words" and "example" not in props["hall_id"]  # 1 is no string
    assert "example" not in props["level"]  # the enum speaks for itself
    assert props["deadline"] == {"allOf": [{"$ref": "#/components/schemas/Deadline"}], "description": "办理时限"}
