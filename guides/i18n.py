"""Answers in the citizen's language: `Accept-Language: en` gives English
names and guide labels where the catalogue has them, Chinese otherwise —
never an empty field. Chinese stays the default, so existing clients see
what they saw before."""

from __future__ import annotations

from .search.lexicon import english_tables

LANGUAGES = ("zh", "en")


def negotiate(accept_languages) -> str:
    """"zh" or "en" from a werkzeug `LanguageAccept` (q-values respected;
    "en-GB" counts as English); anything else is Chinese."""
    best = accept_languages.best_match(["zh", "zh-CN", "en", "en-US", "en-GB"], default="zh") or "zh"
    return "en" if best.lower().startswith("en") else "zh"


def label(kind: str, value: str | None, language: str) -> str | None:
    if language != "en" or value is None:
        return value
    return english_tables()["labels"].get(kind, {}).get(value, value)


def english_guide(item) -> dict:
    """The English part of an item's guide, each piece falling back to Chinese."""
    department = item.department
    return {
        "name": item.name_en or item.name,
        "keywords": list(item.keywords_en or []),
        "department_name": (department.name_en or department.name) if department is not None else item.department_code,
        "item_type": label("item_type", item.item_type, "en"),
        "level": label("level", item.level, "en"),
        "service_object": [label("service_object", s, "en") for s in item.service_object],
        "steps": [label("step", s, "en") for s in item.steps],
        "materials": [{"code": m.code, "name": m.name, "form": label("material_form", m.form, "en"),
                       "source": label("material_source", m.source, "en")} for m in item.materials],
    }


def localise_item(body: dict, language: str) -> dict:
    """A dumped item for `language`: in English, `name` and `department_name`
    are the English ones (the Chinese stays in `name_zh`)."""
    body["language"] = language
    if language == "en":
        body["name"] = body["english"]["name"]
        body["department_name"] = body["english"]["department_name"]
    return body


def localise_summary(row: dict, language: str) -> dict:
    """A search hit or list row for `language` (the index keeps both names)."""
    if language == "en":
        row = dict(row, name=row["name_en"], department_name=row.get("department_name_en") or row["department_name"])
    return row
