"""HTTP schemas of the catalogue, written by hand."""

from __future__ import annotations

from datetime import date

import marshmallow as ma
from marshmallow import fields as f
from marshmallow import validate as v

from mobile_api.db import MAX_INTEGER_ID
from mobile_api.pagination import PageArgsSchema

from .search.text import CONTROL
from .models import ITEM_STATUSES
from .validation import (CHANNELS, FIELD_TYPES, ITEM_TYPES, LEVELS, LIFE_EVENTS, MATERIAL_FORMS, MATERIAL_SOURCES,
                         SERVICE_OBJECTS)

MAX_QUERY = 100


def _no_control_characters(value: str) -> None:
    if CONTROL.search(value):
        raise ma.ValidationError("不能包含控制字符")


def _calendar_date(value: str) -> None:
    """`YYYY-MM-DD` that is a real day (not 2026-02-30, not year 0000)."""
    try:
        date.fromisoformat(value)
    except ValueError:
        raise ma.ValidationError("应为有效的日期（YYYY-MM-DD）") from None


class StrictSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE


# -- pieces of an item --------------------------------------------------------

class LegalBasisSchema(StrictSchema):
    name = f.String(required=True, validate=v.Length(min=1, max=200))
    article = f.String(allow_none=True, load_default=None, validate=v.Length(max=200))


class FeeSchema(StrictSchema):
    name = f.String(required=True, validate=v.Length(min=1, max=100))
    amount_yuan = f.Float(allow_none=True, load_default=None, validate=v.Range(min=0))
    standard = f.String(allow_none=True, load_default=None, validate=v.Length(max=500))
    legal_basis = f.String(allow_none=True, load_default=None, validate=v.Length(max=500))


class FaqSchema(StrictSchema):
    q = f.String(required=True, validate=v.Length(min=1, max=300))
    a = f.String(required=True, validate=v.Length(min=1, max=2000))


class FormFieldSchema(StrictSchema):
    name = f.String(required=True, validate=v.Regexp(r"^[a-z][a-z0-9_]{0,39}$", error="应为小写字母开头的标识符"))
    label = f.String(required=True, validate=v.Length(min=1, max=50))
    type = f.String(required=True, validate=v.OneOf(FIELD_TYPES))
    required = f.Boolean(required=True)
    options = f.List(f.String(validate=v.Length(min=1, max=50)), validate=v.Length(max=50))
    validation = f.Dict(keys=f.String(validate=v.OneOf(("min_length", "max_length", "pattern", "min", "max"))),
                        load_default=dict, dump_default=dict)


class MaterialInSchema(StrictSchema):
    code = f.String(required=True, validate=v.Regexp(r"^[A-Za-z0-9_-]{1,16}$"))
    name = f.String(required=True, validate=v.Length(min=1, max=128))
    required = f.Boolean(required=True)
    condition = f.String(allow_none=True, load_default=None, validate=v.Length(max=255))
    form = f.String(required=True, validate=v.OneOf(MATERIAL_FORMS))
    copies = f.Integer(required=True, validate=v.Range(min=0, max=20))
    source = f.String(required=True, validate=v.OneOf(MATERIAL_SOURCES))
    shared_waiver = f.Boolean(required=True)
    commitment_allowed = f.Boolean(required=True)
    note = f.String(allow_none=True, load_default=None, validate=v.Length(max=255))


class MaterialSchema(ma.Schema):
    id = f.Integer(required=True)
    code = f.String(required=True)
    name = f.String(required=True)
    required = f.Boolean(required=True)
    condition = f.String(required=True, allow_none=True)
    form = f.String(required=True, validate=v.OneOf(MATERIAL_FORMS))
    copies = f.Integer(required=True)
    source = f.String(required=True, validate=v.OneOf(MATERIAL_SOURCES))
    shared_waiver = f.Boolean(required=True, metadata={"description": "部门间数据共享，可免于提交"})
    commitment_allowed = f.Boolean(required=True, metadata={"description": "可用告知承诺替代"})
    note = f.String(required=True, allow_none=True)


# -- items --------------------------------------------------------------------

def _item_fields() -> dict:
    """The content fields of an item as an admin sends it (the FORMAT.md shape)."""
    str_list = lambda choices=None, **kw: f.List(f.String(validate=v.OneOf(choices) if choices else v.Length(min=1, max=100)),
                                                 required=True, **kw)  # noqa: E731
    return {
        "code": f.String(required=True, validate=v.Regexp(r"^\d{12}$", error="应为12位数字")),
        "implementation_code": f.String(required=True, validate=v.Regexp(r"^\d{21}$", error="应为21位数字")),
        "name": f.String(required=True, validate=v.Length(min=2, max=128)),
        # Optional here so that a draft can be saved before its translation;
        # publishing refuses an item without them (validation rule "english").
        "name_en": f.String(load_default=None, allow_none=True, validate=v.Length(min=3, max=200)),
        "keywords_en": f.List(f.String(validate=v.Length(min=1, max=100)), load_default=list,
                              validate=v.Length(max=8)),
        "department_code": f.String(required=True, validate=v.Length(min=1, max=32)),
        "item_type": f.String(required=True, validate=v.OneOf(list(ITEM_TYPES))),
        "level": f.String(required=True, validate=v.OneOf(LEVELS)),
        "service_object": str_list(SERVICE_OBJECTS, validate=v.Length(min=1)),
        "legal_basis": f.List(f.Nested(LegalBasisSchema), required=True, validate=v.Length(min=1, max=20)),
        "conditions": f.String(required=True, validate=v.Length(min=1, max=4000)),
        "fees": f.List(f.Nested(FeeSchema), required=True, validate=v.Length(max=20)),
        "steps": str_list(validate=v.Length(min=1, max=20)),
        "statutory_days": f.Integer(required=True, validate=v.Range(min=0, max=365)),
        "promised_days": f.Integer(required=True, validate=v.Range(min=0, max=365)),
        "visits_required": f.Integer(required=True, validate=v.Range(min=0, max=2)),
        "visits_reason": f.String(required=True, allow_none=True, validate=v.Length(max=255)),
        "online_depth": f.Integer(required=True, validate=v.Range(min=1, max=4)),
        "channels": str_list(CHANNELS, validate=v.Length(min=1)),
        "appointment_supported": f.Boolean(required=True),
        "postal_delivery": f.Boolean(required=True),
        "cross_town": f.Boolean(required=True),
        "in_person_required": f.Boolean(required=True),
        "certificate_type": f.String(required=True, allow_none=True, validate=v.Length(max=64)),
        "consult_phone": f.String(required=True, validate=v.Regexp(r"^[0-9-]{5,20}$")),
        "complaint_phone": f.String(required=True, validate=v.Regexp(r"^[0-9-]{5,20}$")),
        "faqs": f.List(f.Nested(FaqSchema), required=True, validate=v.Length(max=30)),
        "topics": str_list(validate=v.Length(max=10)),
        "keywords": str_list(validate=v.Length(max=8)),
        "life_events": str_list(LIFE_EVENTS),
        "form_fields": f.List(f.Nested(FormFieldSchema), required=True, validate=v.Length(max=5)),
        "effective_date": f.String(required=True, validate=[v.Regexp(r"^\d{4}-\d{2}-\d{2}$"), _calendar_date]),
    }


ItemDraftSchema = StrictSchema.from_dict(
    dict(_item_fields(), materials=f.List(f.Nested(MaterialInSchema), required=True, validate=v.Length(max=40))),
    name="ItemDraftSchema")


class EnglishMaterialSchema(ma.Schema):
    code = f.String(required=True)
    name = f.String(required=True, metadata={"description": "材料名称（暂无英文时为中文）"})
    form = f.String(required=True)
    source = f.String(required=True)


class EnglishGuideSchema(ma.Schema):
    """The guide's English parts; each falls back to Chinese where no English exists."""

    name = f.String(required=True)
    keywords = f.List(f.String(), required=True)
    department_name = f.String(required=True)
    item_type = f.String(required=True)
    level = f.String(required=True)
    service_object = f.List(f.String(), required=True)
    steps = f.List(f.String(), required=True)
    materials = f.List(f.Nested(EnglishMaterialSchema), required=True)


def _english_guide(item):
    from .i18n import english_guide

    return EnglishGuideSchema().dump(english_guide(item))


class ItemSchema(ma.Schema):
    """A published item, as citizens and kiosks read it."""

    code = f.String(required=True)
    implementation_code = f.String(required=True)
    name = f.String(required=True, metadata={"description": "按 Accept-Language 的名称（默认中文）"})
    name_zh = f.Function(lambda item: item.name, required=True)
    name_en = f.Function(lambda item: item.name_en or item.name, required=True,
                         metadata={"description": "英文名称（暂无时为中文）"})
    keywords_en = f.Function(lambda item: list(item.keywords_en or []), required=True)
    english = f.Function(_english_guide, required=True, metadata={"description": "指南的英文部分"})
    language = f.Function(lambda item: "zh", required=True, metadata={"description": "zh 或 en"})
    department_code = f.String(required=True)
    department_name = f.Function(lambda item: item.department.name, required=True,
                                 metadata={"type": "string", "description": "主管部门名称"})
    item_type = f.String(required=True, validate=v.OneOf(list(ITEM_TYPES)))
    level = f.String(required=True, validate=v.OneOf(LEVELS))
    service_object = f.List(f.String(validate=v.OneOf(SERVICE_OBJECTS)), required=True)
    legal_basis = f.List(f.Nested(LegalBasisSchema), required=True)
    conditions = f.String(required=True)
    materials = f.List(f.Nested(MaterialSchema), required=True)
    fees = f.List(f.Nested(FeeSchema), required=True)
    steps = f.List(f.String(), required=True)
    statutory_days = f.Integer(required=True)
    promised_days = f.Integer(required=True)
    instant = f.Boolean(required=True, metadata={"description": "即办件（承诺时限为0）"})
    visits_required = f.Integer(required=True)
    visits_reason = f.String(required=True, allow_none=True)
    online_depth = f.Integer(required=True, metadata={"description": "1 事项公开 … 4 全程网办"})
    channels = f.List(f.String(validate=v.OneOf(CHANNELS)), required=True)
    appointment_supported = f.Boolean(required=True)
    postal_delivery = f.Boolean(required=True)
    cross_town = f.Boolean(required=True)
    in_person_required = f.Boolean(required=True)
    certificate_type = f.String(required=True, allow_none=True)
    consult_phone = f.String(required=True)
    complaint_phone = f.String(required=True)
    faqs = f.List(f.Nested(FaqSchema), required=True)
    topics = f.List(f.String(), required=True)
    keywords = f.List(f.String(), required=True)
    life_events = f.List(f.String(), required=True)
    form_fields = f.List(f.Nested(FormFieldSchema), required=True)
    effective_date = f.Date(required=True)
    status = f.String(required=True, validate=v.OneOf(ITEM_STATUSES))
    version = f.Integer(required=True, allow_none=True, metadata={"description": "发布时的目录版本号"})


class ItemVersionSchema(ItemSchema):
    """Any version of an item, as admins read it."""

    revision = f.Integer(required=True)
    created_at = f.DateTime(required=True)
    created_by = f.String(required=True)
    updated_at = f.DateTime(required=True)
    published_at = f.DateTime(required=True, allow_none=True)
    published_by = f.String(required=True, allow_none=True)
    retired_at = f.DateTime(required=True, allow_none=True)


class ItemVersionSummarySchema(ma.Schema):
    code = f.String(required=True)
    revision = f.Integer(required=True)
    status = f.String(required=True, validate=v.OneOf(ITEM_STATUSES))
    version = f.Integer(required=True, allow_none=True)
    name = f.String(required=True)
    updated_at = f.DateTime(required=True)
    published_at = f.DateTime(required=True, allow_none=True)
    retired_at = f.DateTime(required=True, allow_none=True)


class ItemSummarySchema(ma.Schema):
    code = f.String(required=True)
    name = f.String(required=True, metadata={"description": "按 Accept-Language 的名称（默认中文）"})
    name_zh = f.String(required=True)
    name_en = f.String(required=True, metadata={"description": "英文名称（暂无时为中文）"})
    department_code = f.String(required=True)
    department_name = f.String(required=True)
    item_type = f.String(required=True, validate=v.OneOf(list(ITEM_TYPES)))
    level = f.String(required=True, validate=v.OneOf(LEVELS))
    promised_days = f.Integer(required=True)
    instant = f.Boolean(required=True)
    visits_required = f.Integer(required=True)
    online_depth = f.Integer(required=True)
    channels = f.List(f.String(validate=v.OneOf(CHANNELS)), required=True)
    appointment_supported = f.Boolean(required=True)
    cross_town = f.Boolean(required=True)
    version = f.Integer(required=True)


# -- search -------------------------------------------------------------------

class ItemQueryArgsSchema(PageArgsSchema):
    q = f.String(validate=[v.Length(max=MAX_QUERY, error="查询词不能超过100个字符"),
                           _no_control_characters])
    department = f.String(validate=[v.Length(min=1, max=32), _no_control_characters])
    theme = f.String(validate=[v.Length(min=1, max=32), _no_control_characters])
    life_event = f.String(validate=[v.Length(min=1, max=32), _no_control_characters])
    channel = f.String(validate=v.OneOf(CHANNELS))
    online_depth = f.Integer(validate=v.Range(min=1, max=4))
    max_visits = f.Integer(validate=v.Range(min=0, max=2))


class SearchHitSchema(ItemSummarySchema):
    score = f.Float(required=True, allow_none=True, metadata={"description": "相关度；无查询词时为 null"})
    name_highlighted = f.String(required=True, metadata={"description": "事项名称，命中的词用 <em> 标出"})
    matched = f.List(f.String(), required=True, metadata={"description": "命中的词"})


class SuggestionSchema(ma.Schema):
    text = f.String(required=True)
    item_code = f.String(required=True, allow_none=True)
    theme_id = f.String(required=True, allow_none=True)
    life_event_code = f.String(required=True, allow_none=True)
    kind = f.String(required=True, metadata={"description": "item、theme 或 life_event"})


class LifeEventRefSchema(ma.Schema):
    code = f.String(required=True)
    name = f.String(required=True)


class SearchResponseSchema(ma.Schema):
    query = f.String(required=True, allow_none=True)
    total = f.Integer(required=True)
    items = f.List(f.Nested(SearchHitSchema), required=True)
    suggestions = f.List(f.Nested(SuggestionSchema), required=True,
                         metadata={"description": "无结果时的推荐（您是不是要找）"})
    expansions = f.List(f.String(), required=True, metadata={"description": "按同义词扩展的检索词"})
    catalogue_version = f.Integer(required=True)
    matched = f.Boolean(required=True, metadata={"description": "false：没有找到，items 为空，请看 suggestions"})
    life_events = f.List(f.Nested(LifeEventRefSchema), required=True,
                         metadata={"description": "查询说到的人生事件（用于扩展检索）"})
    language = f.String(required=True, metadata={"description": "回答所用语言：zh 或 en（Accept-Language）"})


# -- departments, themes, life events, sync ---------------------------------------

class DepartmentSchema(ma.Schema):
    code = f.String(required=True)
    number = f.Integer(required=True)
    name = f.String(required=True)
    name_en = f.Function(lambda d: d.name_en or d.name, required=True)
    short_name = f.String(required=True)
    consult_phone = f.String(required=True, allow_none=True)
    complaint_phone = f.String(required=True, allow_none=True)


class ThemeSchema(ma.Schema):
    id = f.String(required=True)
    name = f.String(required=True)
    name_en = f.String(required=True, metadata={"description": "英文名称（无则为中文名）"})
    kind = f.String(required=True, validate=v.OneOf(["personal", "business"]),
                    metadata={"description": "personal 个人 | business 法人"})
    description = f.String(required=True)
    member_codes = f.List(f.String(), required=True)
    total_promised_days = f.Integer(required=True, metadata={"description": "并联办理后的总承诺时限（工作日）"})


class MergedMaterialSchema(ma.Schema):
    name = f.String(required=True)
    required = f.Boolean(required=True)
    condition = f.String(required=True, allow_none=True)
    form = f.String(required=True, validate=v.OneOf(MATERIAL_FORMS))
    copies = f.Integer(required=True)
    source = f.String(required=True, validate=v.OneOf(MATERIAL_SOURCES))
    shared_waiver = f.Boolean(required=True)
    commitment_allowed = f.Boolean(required=True)
    needed_by = f.List(f.String(), required=True)


class MergedFormFieldSchema(FormFieldSchema):
    used_by = f.List(f.String(), required=True)


class ThemeDetailSchema(ThemeSchema):
    stages = f.List(f.List(f.String()), required=True, metadata={"description": "各阶段内的事项并联办理"})
    members = f.List(f.Nested(ItemSummarySchema), required=True)
    materials = f.List(f.Nested(MergedMaterialSchema), required=True)
    form_fields = f.List(f.Nested(MergedFormFieldSchema), required=True)
    sum_promised_days = f.Integer(required=True, metadata={"description": "逐项办理时承诺时限之和（对比用）"})


class LifeEventSchema(ma.Schema):
    code = f.String(required=True)
    name = f.String(required=True, metadata={"description": "按 Accept-Language 的名称（默认中文）"})
    name_zh = f.String(required=True, metadata={"description": "中文名称"})
    name_en = f.String(required=True, metadata={"description": "英文名称（无则为中文名）"})
    kind = f.String(required=True, validate=v.OneOf(["personal", "business"]),
                    metadata={"description": "personal 人生事件 | business 法人事件"})
    description = f.String(required=True)
    description_en = f.String(required=True)
    item_count = f.Integer(required=True)
    item_codes = f.List(f.String(), required=True, metadata={"description": "该事件的事项，重要的在前"})
    items = f.List(f.Nested(ItemSummarySchema), required=True)


MAX_VERSION = MAX_INTEGER_ID  # catalogue versions are INTEGER columns


class SyncArgsSchema(StrictSchema):
    since = f.Integer(load_default=0, validate=v.Range(min=0, max=MAX_VERSION,
                                                       error=f"应为0至{MAX_VERSION}之间的目录版本号"))


class SyncSchema(ma.Schema):
    version = f.Integer(required=True, metadata={"description": "当前目录版本号；下次以 since=此值 同步"})
    items = f.List(f.Nested(ItemSchema), required=True)
    retired = f.List(f.String(), required=True, metadata={"description": "已停用的事项编码"})
