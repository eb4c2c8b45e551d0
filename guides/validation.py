"""Data-quality rules for a service item, checked on every load and publish.

`check_item(data)` takes an item in the shape of guides/data/FORMAT.md and
returns every violation it finds (not just the first), each naming the item
and a stable rule id, so an editor can fix a whole guide in one go. Pure
Python: no database, no Flask.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

ITEM_TYPES = {"行政许可": "01", "行政给付": "02", "行政确认": "03", "行政裁决": "04",
              "行政奖励": "05", "行政备案": "06", "其他行政权力": "07", "公共服务": "08"}
DEPARTMENT_NUMBERS = {"gongan": 1, "renshe": 2, "yibao": 3, "budongchan": 4, "minzheng": 5, "gongjijin": 6,
                      "shuiwu": 7, "weijian": 8, "jiaoyu": 9, "shichang": 10, "jiaotong": 11, "zhujian": 12,
                      "canlian": 13}
LEVELS = ("city", "town", "village")
SERVICE_OBJECTS = ("自然人", "法人")
MATERIAL_FORMS = ("原件", "复印件", "电子")
MATERIAL_SOURCES = ("申请人自备", "政府部门核发")
CHANNELS = ("miniprogram", "app", "kiosk", "window")
LICENCE_STEPS = ("受理", "审核", "审批", "办结", "送达")
LIFE_EVENTS = ("出生", "上学", "就业", "失业", "婚育", "收养", "住房", "迁入", "出行", "就医", "助残", "退休", "身后",
               "开办", "经营", "变更", "注销")
FIELD_TYPES = ("text", "number", "date", "select", "boolean", "id_number", "phone")
VALIDATION_KEYS = ("min_length", "max_length", "pattern", "min", "max")

# Rule ids and what each one means, in the editors' language.
RULES = {
    "format": "字段缺失或格式不正确",
    "code_format": "事项编码应为12位：部门编号+事项类型编号+4位序号+0000",
    "implementation_code": "实施编码应为 4419+部门编号+事项编码+001",
    "online_depth_visits": "全程网办（Ⅳ级）的事项到现场次数必须为0",
    "visits_reason": "到现场次数大于0时必须说明原因",
    "fee_basis": "收费项目必须写明收费标准和收费依据",
    "phones_differ": "咨询电话与投诉电话不能相同",
    "licence_faq": "行政许可事项至少要有一条常见问题",
    "licence_steps": "行政许可事项的办理流程必须包含受理、审核、审批、办结、送达",
    "promised_days": "承诺办结时限不能超过法定办结时限",
    "material_condition": "非必需材料必须写明适用情形，必需材料不写情形",
    "keywords": "关键词应为3至8个",
    "english": "英文名称必填，英文关键词应为3至8个，且不含汉字",
    "form_fields": "申请表单应有1至5个字段，类型与校验规则须合法",
}


@dataclass(frozen=True)
class Violation:
    item_code: str
    rule: str
    message: str

    def __str__(self) -> str:
        return f"事项 {self.item_code}：[{self.rule}] {self.message}"


def _is_str(value, allow_empty=False) -> bool:
    return isinstance(value, str) and (allow_empty or value.strip() != "")


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_bool(value) -> bool:
    return isinstance(value, bool)


def check_item(data: dict, department_code: str | None = None) -> list[Violation]:
    """Every rule the item breaks; empty when it may be published."""
    code = data.get("code") if isinstance(data, dict) and isinstance(data.get("code"), str) else "?"
    found: list[Violation] = []

    def fail(rule: str, detail: str) -> None:
        found.append(Violation(code, rule, f"{RULES[rule]}（{detail}）" if detail else RULES[rule]))

    if not isinstance(data, dict):
        fail("format", "事项应为 JSON 对象")
        return found
    _check_fields(data, fail)
    if found:  # the rules below need well-typed fields
        return found
    _check_codes(data, department_code or data.get("department_code"), fail)
    _check_rules(data, fail)
    return found


def _check_fields(data: dict, fail) -> None:
    text_fields = ("code", "implementation_code", "name", "item_type", "level", "conditions",
                   "consult_phone", "complaint_phone")
    for name in text_fields:
        if not _is_str(data.get(name)):
            fail("format", f"{name} 应为非空字符串")
    for name in ("statutory_days", "promised_days", "visits_required", "online_depth"):
        if not _is_int(data.get(name)) or data.get(name) < 0:
            fail("format", f"{name} 应为非负整数")
    for name in ("appointment_supported", "postal_delivery", "cross_town", "in_person_required"):
        if not _is_bool(data.get(name)):
            fail("format", f"{name} 应为 true 或 false")
    if data.get("item_type") not in ITEM_TYPES:
        fail("format", f"item_type 只能是 {'、'.join(ITEM_TYPES)}")
    if data.get("level") not in LEVELS:
        fail("format", "level 只能是 city、town、village")
    if _is_int(data.get("online_depth")) and not 1 <= data["online_depth"] <= 4:
        fail("format", "online_depth 应为1至4")
    if _is_int(data.get("visits_required")) and data["visits_required"] > 2:
        fail("format", "visits_required 只能是0、1、2")
    if data.get("visits_reason") is not None and not _is_str(data.get("visits_reason")):
        fail("format", "visits_reason 应为字符串或 null")
    if data.get("certificate_type") is not None and not _is_str(data.get("certificate_type")):
        fail("format", "certificate_type 应为字符串或 null")
    _check_lists(data, fail)
    _check_materials(data.get("materials"), fail)
    _check_form_fields(data.get("form_fields"), fail)
    try:
        date.fromisoformat(data.get("effective_date") if isinstance(data.get("effective_date"), str) else "")
    except ValueError:
        fail("format", "effective_date 应为 YYYY-MM-DD 日期")


def _check_lists(data: dict, fail) -> None:
    def str_list(name, allowed=None, min_len=0):
        value = data.get(name)
        if not isinstance(value, list) or len(value) < min_len or not all(_is_str(v) for v in value):
            fail("format", f"{name} 应为至少{min_len}项的字符串列表")
            return
        if allowed is not None and any(v not in allowed for v in value):
            fail("format", f"{name} 只能取 {'、'.join(allowed)}")
        if len(set(value)) != len(value):
            fail("format", f"{name} 有重复项")

    str_list("service_object", SERVICE_OBJECTS, 1)
    str_list("steps", None, 1)
    str_list("channels", CHANNELS, 1)
    str_list("topics")
    str_list("life_events", LIFE_EVENTS)
    keywords = data.get("keywords")
    if not isinstance(keywords, list) or not all(_is_str(v) for v in keywords):
        fail("format", "keywords 应为字符串列表")
    elif not 3 <= len(keywords) <= 8:
        fail("keywords", f"现有{len(keywords)}个")
    _check_english(data, fail)
    basis = data.get("legal_basis")
    if not isinstance(basis, list) or not basis or not all(
            isinstance(b, dict) and _is_str(b.get("name")) and isinstance(b.get("article", ""), (str, type(None)))
            for b in basis):
        fail("format", "legal_basis 应为至少一项 {name, article} 的列表")
    fees = data.get("fees")
    if not isinstance(fees, list) or not all(isinstance(f, dict) and _is_str(f.get("name")) for f in fees):
        fail("format", "fees 应为 {name, amount_yuan, standard, legal_basis} 的列表")
    else:
        for fee in fees:
            amount = fee.get("amount_yuan")
            if amount is not None and (isinstance(amount, bool) or not isinstance(amount, (int, float)) or amount < 0):
                fail("format", f"收费“{fee['name']}”的金额应为非负数")
    faqs = data.get("faqs")
    if not isinstance(faqs, list) or not all(isinstance(f, dict) and _is_str(f.get("q")) and _is_str(f.get("a"))
                                             for f in faqs):
        fail("format", "faqs 应为 {q, a} 的列表")


ENGLISH_TEXT = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ,.;:'()/&+-]*")


def _check_english(data: dict, fail) -> None:
    """Foreign residents search and read in English: every item has an English
    name and the English words people would type, written by an editor."""
    name = data.get("name_en")
    if not _is_str(name) or not 3 <= len(name) <= 200 or not ENGLISH_TEXT.fullmatch(name):
        fail("english", "name_en 缺失或不是英文")
    keywords = data.get("keywords_en")
    if not isinstance(keywords, list) or not all(_is_str(k) and len(k) <= 100 and ENGLISH_TEXT.fullmatch(k)
                                                 for k in keywords):
        fail("english", "keywords_en 应为英文字符串列表")
    elif not 3 <= len(keywords) <= 8:
        fail("english", f"keywords_en 现有{len(keywords)}个")
    elif len({k.lower() for k in keywords}) != len(keywords):
        fail("english", "keywords_en 有重复项")


def _check_materials(materials, fail) -> None:
    if not isinstance(materials, list):
        fail("format", "materials 应为列表")
        return
    codes = set()
    for index, m in enumerate(materials):
        where = f"materials[{index}]"
        if not isinstance(m, dict) or not _is_str(m.get("code")) or not _is_str(m.get("name")):
            fail("format", f"{where} 应有 code 与 name")
            continue
        if m["code"] in codes:
            fail("format", f"材料编码 {m['code']} 重复")
        codes.add(m["code"])
        if m.get("form") not in MATERIAL_FORMS:
            fail("format", f"{where}.form 只能是 原件、复印件、电子")
        if m.get("source") not in MATERIAL_SOURCES:
            fail("format", f"{where}.source 只能是 申请人自备、政府部门核发")
        if not _is_int(m.get("copies")) or m["copies"] < 0:
            fail("format", f"{where}.copies 应为非负整数")
        for flag in ("required", "shared_waiver", "commitment_allowed"):
            if not _is_bool(m.get(flag)):
                fail("format", f"{where}.{flag} 应为 true 或 false")
        if _is_bool(m.get("required")):
            has_condition = _is_str(m.get("condition"))
            if m["required"] == has_condition:
                fail("material_condition", f"材料“{m['name']}”")


def _check_form_fields(fields, fail) -> None:
    if not isinstance(fields, list) or not 1 <= len(fields) <= 5:
        fail("form_fields", "字段数应为1至5")
        return
    names = set()
    for index, f in enumerate(fields):
        where = f"form_fields[{index}]"
        if not isinstance(f, dict) or not _is_str(f.get("name")) or not _is_str(f.get("label")):
            fail("form_fields", f"{where} 应有 name 与 label")
            continue
        if f["name"] in names:
            fail("form_fields", f"字段名 {f['name']} 重复")
        names.add(f["name"])
        if f.get("type") not in FIELD_TYPES:
            fail("form_fields", f"{where}.type 只能是 {'、'.join(FIELD_TYPES)}")
        if not _is_bool(f.get("required")):
            fail("form_fields", f"{where}.required 应为 true 或 false")
        if f.get("type") == "select" and (not isinstance(f.get("options"), list) or not f["options"]):
            fail("form_fields", f"{where} 为选择题时必须有 options")
        validation = f.get("validation", {})
        if not isinstance(validation, dict) or any(k not in VALIDATION_KEYS for k in validation):
            fail("form_fields", f"{where}.validation 只能含 {'、'.join(VALIDATION_KEYS)}")
        elif isinstance(validation.get("pattern"), str):
            try:
                re.compile(validation["pattern"])
            except re.error:
                fail("form_fields", f"{where}.validation.pattern 不是合法的正则表达式")


def _check_codes(data: dict, department_code: str | None, fail) -> None:
    code = data["code"]
    type_number = ITEM_TYPES[data["item_type"]]
    dept_number = DEPARTMENT_NUMBERS.get(department_code or "")
    if not re.fullmatch(r"\d{12}", code) or not code.endswith("0000") or code[2:4] != type_number or (
            dept_number is not None and code[:2] != f"{dept_number:02d}"):
        fail("code_format", code)
    expected = f"4419{code[:2]}{code}001"
    if data["implementation_code"] != expected:
        fail("implementation_code", f"应为 {expected}")


def _check_rules(data: dict, fail) -> None:
    if data["online_depth"] == 4 and data["visits_required"] != 0:
        fail("online_depth_visits", f"现为{data['visits_required']}次")
    if data["visits_required"] > 0 and not _is_str(data.get("visits_reason")):
        fail("visits_reason", "")
    for fee in data["fees"]:
        if not _is_str(fee.get("standard")) or not _is_str(fee.get("legal_basis")):
            fail("fee_basis", f"收费“{fee['name']}”")
    if data["consult_phone"].strip() == data["complaint_phone"].strip():
        fail("phones_differ", data["consult_phone"])
    if data["item_type"] == "行政许可":
        if not data["faqs"]:
            fail("licence_faq", "")
        missing = [step for step in LICENCE_STEPS if step not in data["steps"]]
        if missing:
            fail("licence_steps", "缺少" + "、".join(missing))
    if data["promised_days"] > data["statutory_days"]:
        fail("promised_days", f"承诺{data['promised_days']}日 > 法定{data['statutory_days']}日")
