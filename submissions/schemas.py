"""HTTP schemas of 网上申办, written by hand."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields as f
from marshmallow import validate as v

from mobile_api.actor import ROLES
from mobile_api.pagination import PageArgsSchema
from mobile_api.request_guards import CHANNELS

from .services.workflow import STATUS_LABELS

STATUSES = tuple(STATUS_LABELS)
DEADLINE_FLAGS = ("none", "normal", "warning", "overdue", "paused", "finished", "finished_late")
DELIVERY = ("window", "post", "electronic")
_opinion = {"validate": v.Length(max=500), "allow_none": True}


# -- requests ---------------------------------------------------------------

class ApplicationCreateSchema(ma.Schema):
    item_code = f.String(validate=v.Length(min=1, max=12), metadata={"description": "事项编码（与 theme_id 二选一）"})
    theme_id = f.String(validate=v.Length(min=1, max=32), metadata={"description": "一件事主题编号（与 item_code 二选一）"})
    form = f.Dict(keys=f.String(), load_default=dict, metadata={"description": "申请表: 字段名 -> 值"})
    commitments = f.List(f.String(validate=v.Length(max=16)), load_default=list,
                         metadata={"description": "以告知承诺代替的材料编号"})
    delivery_method = f.String(validate=v.OneOf(DELIVERY), load_default="window")
    postal_address = f.String(validate=v.Length(max=255), allow_none=True)

    @ma.validates_schema
    def _one_target(self, data, **kwargs):
        if ("item_code" in data) == ("theme_id" in data):
            raise ma.ValidationError("须且只须提供 item_code 或 theme_id 之一", "item_code")


class ApplicationSubmitOnceSchema(ma.Schema):
    """The `application` part of a one-request submission (an item, not a theme)."""

    class Meta:
        description = "一次提交的申请内容（同 POST /applications 的事项申请，不含一件事）"

    item_code = f.String(required=True, validate=v.Length(min=1, max=12))
    form = f.Dict(keys=f.String(), load_default=dict)
    commitments = f.List(f.String(validate=v.Length(max=16)), load_default=list)
    delivery_method = f.String(validate=v.OneOf(DELIVERY), load_default="window")
    postal_address = f.String(validate=v.Length(max=255), allow_none=True)


class ApplicationUpdateSchema(ma.Schema):
    form = f.Dict(keys=f.String())
    commitments = f.List(f.String(validate=v.Length(max=16)))
    delivery_method = f.String(validate=v.OneOf(DELIVERY))
    postal_address = f.String(validate=v.Length(max=255), allow_none=True)


class WithdrawSchema(ma.Schema):
    reason = f.String(**_opinion)


class MyApplicationsArgsSchema(PageArgsSchema):
    status = f.String(validate=v.OneOf(STATUSES))


class OpinionSchema(ma.Schema):
    opinion = f.String(**_opinion)


class RequiredOpinionSchema(ma.Schema):
    opinion = f.String(required=True, validate=v.Length(min=2, max=500), metadata={"description": "理由/意见"})


class SupplementItemSchema(ma.Schema):
    material_code = f.String(validate=v.Length(max=16))
    field = f.String(validate=v.Length(max=64))
    reason = f.String(required=True, validate=v.Length(min=2, max=200))


class SupplementRequestSchema(ma.Schema):
    items = f.List(f.Nested(SupplementItemSchema), required=True, validate=v.Length(min=1, max=50),
                   metadata={"description": "一次性告知的全部补正事项"})
    opinion = f.String(**_opinion)


class DeliverSchema(ma.Schema):
    method = f.String(validate=v.OneOf(DELIVERY))
    tracking_number = f.String(validate=v.Length(min=4, max=40))
    opinion = f.String(**_opinion)


class StaffQueueArgsSchema(PageArgsSchema):
    status = f.String(validate=v.OneOf(STATUSES))
    department_code = f.String(validate=v.Length(max=32))
    hall_id = f.Integer()
    flag = f.String(validate=v.OneOf(("warning", "overdue")))


class SupervisionArgsSchema(PageArgsSchema):
    department_code = f.String(validate=v.Length(max=32))
    level = f.String(validate=v.OneOf(("warning", "overdue")))


class VerifyRequestSchema(ma.Schema):
    payload = f.String(required=True, validate=v.Length(min=1, max=4096), metadata={"description": "二维码内容"})


class RevokeSchema(ma.Schema):
    reason = f.String(required=True, validate=v.Length(min=2, max=255))


# -- responses ----------------------------------------------------------------

class DeadlineSchema(ma.Schema):
    flag = f.String(required=True, validate=v.OneOf(DEADLINE_FLAGS),
                    metadata={"description": "none|normal|warning|overdue|paused|finished|finished_late"})
    promised_days = f.Integer(required=True)
    statutory_days = f.Integer(required=True)
    clock_start_date = f.Date(required=True, allow_none=True)
    warning_date = f.Date(required=True, allow_none=True)
    promised_due_date = f.Date(required=True, allow_none=True)
    statutory_due_date = f.Date(required=True, allow_none=True)
    paused_working_days = f.Integer(required=True)
    used_working_days = f.Integer(required=True, allow_none=True)
    statutory_overdue = f.Boolean(required=True)


class MaterialFileSchema(ma.Schema):
    id = f.Integer(required=True)
    material_code = f.String(required=True)
    content_type = f.String(required=True)
    size = f.Integer(required=True)
    sha256 = f.String(required=True)
    original_name = f.String(required=True, allow_none=True)
    created_at = f.DateTime(required=True)


class MaterialStatusSchema(ma.Schema):
    code = f.String(required=True)
    name = f.String(required=True)
    required = f.Boolean(required=True)
    provided_by = f.String(required=True, allow_none=True, validate=v.OneOf(["upload", "commitment", "waived"]),
                           metadata={"description": "upload | commitment | waived (提交时确定) | null"})
    commitment_allowed = f.Boolean(required=True)
    shared_waiver = f.Boolean(required=True)


class EventSchema(ma.Schema):
    at = f.DateTime(required=True)
    action = f.String(required=True)
    action_label = f.String(required=True)
    from_status = f.String(required=True, allow_none=True, validate=v.OneOf(STATUSES))
    to_status = f.String(required=True, validate=v.OneOf(STATUSES))
    actor_role = f.String(required=True, validate=v.OneOf(ROLES + ("system",)))
    actor_id = f.Integer(allow_none=True, metadata={"description": "仅工作人员可见; 系统所为(如超时办结)或已注销的市民为 null"})
    channel = f.String(required=True, allow_none=True,
                       validate=v.OneOf(CHANNELS + tuple(d for d in DELIVERY if d not in CHANNELS)),
                       metadata={"description": "办理渠道；送达（deliver）步骤为送达方式"})
    opinion = f.String(required=True, allow_none=True)
    details = f.Dict(required=True, allow_none=True)


class ApplicationSummarySchema(ma.Schema):
    id = f.Integer(required=True)
    status = f.String(required=True, validate=v.OneOf(STATUSES))
    status_label = f.String(required=True)
    item_code = f.String(required=True)
    item_name = f.String(required=True)
    department_code = f.String(required=True)
    theme_application_id = f.Integer(required=True, allow_none=True)
    created_at = f.DateTime(required=True)
    updated_at = f.DateTime(required=True)
    submitted_at = f.DateTime(required=True, allow_none=True)
    deadline = f.Nested(DeadlineSchema, required=True)


class ApplicationSchema(ApplicationSummarySchema):
    item_revision = f.Integer(required=True)
    item_version = f.Integer(required=True, allow_none=True)
    form = f.Dict(required=True)
    commitments = f.Dict(required=True)
    waivers = f.Dict(required=True)
    delivery_method = f.String(required=True, validate=v.OneOf(DELIVERY))
    postal_address = f.String(required=True, allow_none=True)
    supplement_request = f.List(f.Dict(), required=True, allow_none=True)
    supplement_rounds = f.Integer(required=True)
    accepted_at = f.DateTime(required=True, allow_none=True)
    decided_at = f.DateTime(required=True, allow_none=True)
    decision = f.String(required=True, allow_none=True, validate=v.OneOf(["approved", "denied"]))
    completed_at = f.DateTime(required=True, allow_none=True)
    delivered_at = f.DateTime(required=True, allow_none=True)
    in_person_required = f.Boolean(required=True)
    certificate_id = f.String(required=True, allow_none=True)
    allowed_actions = f.List(f.String(), required=True)
    materials = f.List(f.Nested(MaterialStatusSchema), required=True)
    files = f.List(f.Nested(MaterialFileSchema), required=True)
    timeline = f.List(f.Nested(EventSchema), required=True)
    citizen_id = f.Integer(allow_none=True, metadata={"description": "仅工作人员可见; 市民已注销时为 null"})


class ThemeApplicationSchema(ma.Schema):
    id = f.Integer(required=True)
    theme_id = f.String(required=True)
    theme_name = f.String(required=True)
    status = f.String(required=True,
                      validate=v.OneOf(["draft", "in_progress", "completed", "closed_with_refusals", "withdrawn"]),
                      metadata={"description": "draft|in_progress|completed|closed_with_refusals|withdrawn"})
    created_at = f.DateTime(required=True)
    submitted_at = f.DateTime(required=True, allow_none=True)
    materials = f.List(f.Dict(), required=True, metadata={"description": "合并后的材料清单 (同一材料只列一次)"})
    members = f.List(f.Nested(ApplicationSummarySchema), required=True)


class CertificateSchema(ma.Schema):
    id = f.String(required=True)
    certificate_type = f.String(required=True)
    number = f.String(required=True)
    department_code = f.String(required=True)
    fields = f.Dict(required=True)
    issued_at = f.DateTime(required=True)
    revoked_at = f.DateTime(required=True, allow_none=True)
    payload = f.String(metadata={"description": "二维码内容 (仅持证人可见)"})


class VerifyResultSchema(ma.Schema):
    valid = f.Boolean(required=True)
    revoked = f.Boolean(required=True)
    reason = f.String(required=True)
    certificate = f.Nested(CertificateSchema, required=True, allow_none=True)
