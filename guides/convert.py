"""Between the FORMAT.md shape of an item (seed files, admin bodies, sync
downloads) and the `ServiceItem` / `Material` rows."""

from __future__ import annotations

from datetime import date

from .models import Material, ServiceItem

# Fields copied as they are between the data shape and the row.
ITEM_FIELDS = (
    "code", "implementation_code", "name", "name_en", "item_type", "level", "service_object", "legal_basis", "conditions",
    "fees", "steps", "statutory_days", "promised_days", "visits_required", "visits_reason", "online_depth",
    "channels", "appointment_supported", "postal_delivery", "cross_town", "in_person_required",
    "certificate_type", "consult_phone", "complaint_phone", "faqs", "topics", "keywords", "keywords_en", "life_events",
    "form_fields",
)
MATERIAL_FIELDS = ("code", "name", "required", "condition", "form", "copies", "source", "shared_waiver",
                   "commitment_allowed", "note")


def item_row_values(data: dict, department_code: str) -> dict:
    """Column values for a `ServiceItem` from an item in the data shape."""
    values = {name: data.get(name) for name in ITEM_FIELDS}
    values["department_code"] = department_code
    values["effective_date"] = date.fromisoformat(data["effective_date"])
    return values


def material_row_values(data: dict) -> list[dict]:
    return [dict({name: m.get(name) for name in MATERIAL_FIELDS}, position=index)
            for index, m in enumerate(data.get("materials") or [])]


def build_materials(data: dict) -> list[Material]:
    return [Material(**values) for values in material_row_values(data)]


def item_to_data(item: ServiceItem) -> dict:
    """An item version in the data shape (what an admin edits and a publish validates)."""
    data = {name: getattr(item, name) for name in ITEM_FIELDS}
    data["department_code"] = item.department_code
    data["effective_date"] = item.effective_date.isoformat()
    data["materials"] = [{name: getattr(m, name) for name in MATERIAL_FIELDS} for m in item.materials]
    return data
