"""Validating an application's form against the fields its guide defines.

A draft may be incomplete, so `check_form(..., complete=False)` only checks
the fields given (known name, right type, options, validation rules);
submission checks again with `complete=True`, which also needs every required
field. Errors are collected per field, in Chinese, so the phone can mark each.
"""

from __future__ import annotations

import re
from datetime import date

_PHONE = re.compile(r"^1[3-9]\d{9}$")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def id_number_valid(value: str) -> bool:
    """An 18-digit resident ID number with a correct check digit (GB 11643)."""
    if not re.fullmatch(r"\d{17}[\dXx]", value):
        return False
    total = sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS))
    if _ID_CHECK[total % 11] != value[17].upper():
        return False
    try:
        date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    return True


def _check_value(field: dict, value) -> str | None:
    """The problem with one value, or None."""
    kind = field.get("type", "text")
    rules = field.get("validation") or {}
    if kind in ("text", "id_number", "phone", "date", "select"):
        if not isinstance(value, str):
            return "应为字符串"
        value = value.strip()
        if not value:
            return "不能为空"
    if kind == "text":
        if "min_length" in rules and len(value) < rules["min_length"]:
            return f"长度不能少于 {rules['min_length']} 个字符"
        if "max_length" in rules and len(value) > rules["max_length"]:
            return f"长度不能超过 {rules['max_length']} 个字符"
        if rules.get("pattern") and not re.fullmatch(rules["pattern"], value):
            return "格式不正确"
    elif kind == "id_number":
        if not id_number_valid(value):
            return "身份证号码不正确 (应为 18 位且校验位正确)"
    elif kind == "phone":
        if not _PHONE.match(value):
            return "手机号码应为 11 位数字"
    elif kind == "date":
        try:
            date.fromisoformat(value)
        except ValueError:
            return "日期格式不正确，应为 YYYY-MM-DD"
        if len(value) != 10:
            return "日期格式不正确，应为 YYYY-MM-DD"
    elif kind == "select":
        options = field.get("options") or []
        if value not in options:
            return "取值不在可选范围内：" + "、".join(map(str, options))
    elif kind == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return "应为数字"
        if "min" in rules and value < rules["min"]:
            return f"不能小于 {rules['min']}"
        if "max" in rules and value > rules["max"]:
            return f"不能大于 {rules['max']}"
    elif kind == "boolean":
        if not isinstance(value, bool):
            return "应为是或否 (true/false)"
    return None


def check_form(fields: list[dict], data: dict, complete: bool) -> dict[str, list[str]]:
    """Per-field errors of `data` against `fields` (empty when valid)."""
    errors: dict[str, list[str]] = {}
    by_name = {f["name"]: f for f in fields}
    for name, value in data.items():
        field = by_name.get(name)
        if field is None:
            errors[name] = ["该事项的申请表没有此字段"]
            continue
        if value is None:
            continue
        problem = _check_value(field, value)
        if problem:
            errors[name] = [f"{field.get('label', name)}{problem}"]
    if complete:
        for field in fields:
            if field.get("required") and data.get(field["name"]) in (None, ""):
                errors.setdefault(field["name"], [f"{field.get('label', field['name'])}为必填项"])
    return errors


def normalise_form(data: dict) -> dict:
    """Strip surrounding spaces from strings; drop explicit nulls (a cleared field)."""
    return {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items() if v is not None}
