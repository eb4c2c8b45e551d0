"""HTTP schemas for feedback, written by hand so no column leaks by accident.
Fields always present in answers are required=True (clients type them so)."""

import marshmallow as ma
from marshmallow import validate

from mobile_api.pagination import PageArgsSchema

from .taxonomy import (ABOUT_TYPES, BAD_REASONS, CASE_KINDS, CASE_STATES, LEVELS, MAX_ID, RATED_EVENT_KINDS,
                       RECTIFICATION_STATES, SATISFACTION)

_NOTE = validate.Length(min=1, max=2000)
# NUL and other control characters (except tab and line breaks) are refused:
# PostgreSQL cannot store NUL in text, and the rest is never meant.
_PRINTABLE = validate.Regexp(r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$", error="不能包含控制字符")


def _text(*args, validate=None, **kwargs):
    rules = [] if validate is None else (list(validate) if isinstance(validate, (list, tuple)) else [validate])
    return ma.fields.String(*args, validate=[*rules, _PRINTABLE], **kwargs)


class _Strict(ma.Schema):
    class Meta:
        unknown = ma.RAISE


# -- requests ------------------------------------------------------------

class CaseCreateSchema(_Strict):
    kind = _text(required=True, validate=validate.OneOf(list(CASE_KINDS)),
                            metadata={"description": "consultation 咨询, complaint 投诉, suggestion 建议, help 求助, "
                                                     "report 举报"})
    category = _text(required=True, validate=validate.Length(min=1, max=64),
                                metadata={"description": "二级分类编码，如 conduct.attitude，见 /cases/categories"})
    text = _text(required=True, validate=validate.Length(max=2000))
    about_type = _text(validate=validate.OneOf(list(ABOUT_TYPES)), allow_none=True)
    about_ref = _text(validate=validate.Length(min=1, max=64), allow_none=True)
    photos = ma.fields.List(ma.fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_ID)),
                            load_default=list,
                            validate=validate.Length(max=9),
                            metadata={"description": "已上传照片的编号，最多 9 张"})


class CaseListArgsSchema(PageArgsSchema):
    state = _text(validate=validate.OneOf(CASE_STATES))
    kind = _text(validate=validate.OneOf(list(CASE_KINDS)))


class StaffCaseListArgsSchema(CaseListArgsSchema):
    overdue = ma.fields.Boolean()


class SatisfactionSchema(_Strict):
    satisfaction = _text(required=True, validate=validate.OneOf(list(SATISFACTION)))
    comment = _text(validate=validate.Length(max=2000), allow_none=True)


class FeedbackReasonSchema(_Strict):
    reason = _text(required=True, validate=_NOTE)


class CaseDispatchSchema(_Strict):
    department_code = _text(required=True, validate=validate.Length(min=1, max=32))
    note = _text(validate=validate.Length(max=2000), allow_none=True)


class CaseTransferSchema(_Strict):
    department_code = _text(required=True, validate=validate.Length(min=1, max=32))
    reason = _text(required=True, validate=_NOTE)


class CaseReplySchema(_Strict):
    text = _text(required=True, validate=_NOTE)


class CaseExtendSchema(_Strict):
    days = ma.fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=60))
    reason = _text(required=True, validate=_NOTE)


class ExtensionDecisionSchema(_Strict):
    approve = ma.fields.Boolean(required=True)
    note = _text(validate=validate.Length(max=2000), allow_none=True)


class RatingCreateSchema(_Strict):
    event_kind = _text(required=True, validate=validate.OneOf(RATED_EVENT_KINDS))
    event_id = ma.fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=MAX_ID))
    level = _text(required=True, validate=validate.OneOf(list(LEVELS)),
                             metadata={"description": "very_satisfied 非常满意 … very_unsatisfied 非常不满意"})
    reason = _text(validate=validate.OneOf(list(BAD_REASONS)), allow_none=True,
                              metadata={"description": "差评原因，见 /ratings/options；不满意、非常不满意时必填"})
    comment = _text(validate=validate.Length(max=2000), allow_none=True)


class RectificationRatingSchema(_Strict):
    level = _text(required=True, validate=validate.OneOf(list(LEVELS)))


class RatingStatsArgsSchema(_Strict):
    period = _text(load_default="month", validate=validate.OneOf(("month", "quarter", "year")))
    year = ma.fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))
    month = ma.fields.Integer(validate=validate.Range(min=1, max=12))
    quarter = ma.fields.Integer(validate=validate.Range(min=1, max=4))
    group_by = _text(load_default="department",
                     validate=validate.OneOf(("department", "hall", "window", "item", "staff")),
                     metadata={"description": "staff 仅在本市开启公开工作人员姓名时可用"})


class StaffRatingStatsArgsSchema(RatingStatsArgsSchema):
    group_by = _text(load_default="window",
                                validate=validate.OneOf(("department", "hall", "window", "item", "staff")))


class StaffRatingListArgsSchema(PageArgsSchema):
    level = _text(validate=validate.OneOf(list(LEVELS)))


class RectificationListArgsSchema(PageArgsSchema):
    state = _text(validate=validate.OneOf(RECTIFICATION_STATES))
    overdue = ma.fields.Boolean()


class RectificationCallbackSchema(_Strict):
    note = _text(required=True, validate=_NOTE)


class RectificationResolveSchema(_Strict):
    outcome = _text(required=True, validate=validate.OneOf(("rectified", "explained")))
    note = _text(required=True, validate=_NOTE)


class AppealDecisionSchema(_Strict):
    upheld = ma.fields.Boolean(required=True)
    note = _text(validate=validate.Length(max=2000), allow_none=True)


# -- responses -----------------------------------------------------------

def _opt(field):
    field.required = True
    field.allow_none = True
    field.dump_default = None
    return field


class FeedbackUploadSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    content_type = ma.fields.String(required=True)
    size = ma.fields.Integer(required=True)
    sha256 = ma.fields.String(required=True)


class CaseTimelineEntrySchema(ma.Schema):
    at = ma.fields.DateTime(required=True)
    action = ma.fields.String(required=True)
    label = ma.fields.String(required=True)
    actor_kind = ma.fields.String(required=True, validate=validate.OneOf(["citizen", "staff", "system"]))
    actor_id = _opt(ma.fields.Integer())
    department_code = _opt(ma.fields.String())
    note = _opt(ma.fields.String())


class CaseSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    kind = ma.fields.String(required=True, validate=validate.OneOf(list(CASE_KINDS)))
    category = ma.fields.String(required=True)
    about_type = _opt(ma.fields.String(validate=validate.OneOf(ABOUT_TYPES)))
    about_ref = _opt(ma.fields.String())
    text = ma.fields.String(required=True)
    state = ma.fields.String(required=True, validate=validate.OneOf(CASE_STATES))
    department_code = _opt(ma.fields.String())
    duplicate_of_id = _opt(ma.fields.Integer())
    submitted_at = ma.fields.DateTime(required=True)
    reply_due_at = ma.fields.DateTime(required=True)
    overdue = ma.fields.Boolean(required=True)
    replied_at = _opt(ma.fields.DateTime())
    reply_text = _opt(ma.fields.String())
    satisfaction = _opt(ma.fields.String(validate=validate.OneOf(list(SATISFACTION))))
    reopen_count = ma.fields.Integer(required=True)
    closed_at = _opt(ma.fields.DateTime())
    extension_status = _opt(ma.fields.String(validate=validate.OneOf(["pending", "approved", "rejected"])))
    extension_days = _opt(ma.fields.Integer())
    photos = ma.fields.List(ma.fields.Integer(), required=True,
                            metadata={"description": "照片编号；内容见 /cases/{id}/photos/{photo_id}"})


class CaseDetailSchema(CaseSchema):
    timeline = ma.fields.List(ma.fields.Nested(CaseTimelineEntrySchema), required=True)


class StaffCaseSchema(CaseSchema):
    citizen_id = _opt(ma.fields.Integer(metadata={"description": "举报件对承办部门隐藏（null）"}))
    reporter_hidden = ma.fields.Boolean(required=True)
    urge_count = ma.fields.Integer(required=True)
    extension_reason = _opt(ma.fields.String())


class StaffCaseDetailSchema(StaffCaseSchema):
    timeline = ma.fields.List(ma.fields.Nested(CaseTimelineEntrySchema), required=True)


class CategoryLeafSchema(ma.Schema):
    code = ma.fields.String(required=True)
    name = ma.fields.String(required=True)


class CategoryGroupSchema(ma.Schema):
    code = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    children = ma.fields.List(ma.fields.Nested(CategoryLeafSchema), required=True)


class CaseOptionsSchema(ma.Schema):
    kinds = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String(), required=True)
    categories = ma.fields.List(ma.fields.Nested(CategoryGroupSchema), required=True)
    reply_days = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer(), required=True)


class RatingSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    event_kind = ma.fields.String(required=True, validate=validate.OneOf(RATED_EVENT_KINDS))
    event_id = ma.fields.Integer(required=True)
    level = ma.fields.String(required=True, validate=validate.OneOf(list(LEVELS)))
    reason = _opt(ma.fields.String())
    comment = _opt(ma.fields.String())
    rated_by = ma.fields.String(required=True, validate=validate.OneOf(["citizen", "kiosk", "system"]))
    rated_at = ma.fields.DateTime(required=True)
    department_code = _opt(ma.fields.String())
    hall_id = _opt(ma.fields.Integer())
    window_id = _opt(ma.fields.Integer())
    item_code = _opt(ma.fields.String())
    rectification_id = _opt(ma.fields.Integer())
    rectification_state = _opt(ma.fields.String(validate=validate.OneOf(RECTIFICATION_STATES)))


class StaffRatingSchema(RatingSchema):
    """A rating as staff see it: no event id, since the event (a case, an
    application, a ticket) leads back to the person who rated."""

    class Meta:
        exclude = ("event_id",)


class RatingOptionsSchema(ma.Schema):
    levels = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String(), required=True)
    bad_reasons = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String(), required=True)
    period_days = ma.fields.Integer(required=True)


class RectificationSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    rating_id = ma.fields.Integer(required=True)
    level = ma.fields.String(required=True, validate=validate.OneOf(list(LEVELS)))
    reason = _opt(ma.fields.String())
    comment = _opt(ma.fields.String())
    event_kind = ma.fields.String(required=True, validate=validate.OneOf(RATED_EVENT_KINDS))
    event_id = ma.fields.Integer(required=True)
    department_code = _opt(ma.fields.String())
    hall_id = _opt(ma.fields.Integer())
    window_id = _opt(ma.fields.Integer())
    state = ma.fields.String(required=True, validate=validate.OneOf(RECTIFICATION_STATES))
    opened_at = ma.fields.DateTime(required=True)
    callback_due_at = ma.fields.DateTime(required=True)
    due_at = ma.fields.DateTime(required=True)
    called_back_at = _opt(ma.fields.DateTime())
    callback_note = _opt(ma.fields.String())
    resolved_at = _opt(ma.fields.DateTime())
    resolution_note = _opt(ma.fields.String())
    appeal_reason = _opt(ma.fields.String())
    appeal_upheld = _opt(ma.fields.Boolean())
    appeal_note = _opt(ma.fields.String())
    callback_overdue = ma.fields.Boolean(required=True)
    overdue = ma.fields.Boolean(required=True)
    citizen_level = _opt(ma.fields.String(validate=validate.OneOf(list(LEVELS))))


class RectificationContactSchema(RectificationSchema):
    citizen_id = _opt(ma.fields.Integer(metadata={"description": "回访对象；每次读取均记入审计日志"}))
    contact_phone = _opt(ma.fields.String(metadata={
        "description": "回访电话（评价人绑定的手机号，不打码）：仅整改单所属部门（综合窗口为所属大厅）的管理员，"
                       "且仅在待回访或已回访未办结时可见；每次读取单独记入审计日志"}))


class RatingStatsRowSchema(ma.Schema):
    key = _opt(ma.fields.String())
    name = _opt(ma.fields.String(metadata={"description": "部门、大厅、窗口（含大厅名）、事项或工作人员的名称"}))
    total = ma.fields.Integer(required=True)
    levels = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer(), required=True)
    satisfaction_rate = _opt(ma.fields.Float())
    bad_count = ma.fields.Integer(required=True)
    rectified_count = ma.fields.Integer(required=True)
    rectification_rate = _opt(ma.fields.Float())
    on_time_count = ma.fields.Integer(required=True)
    on_time_rate = _opt(ma.fields.Float())


class RatingStatsSchema(ma.Schema):
    period = ma.fields.String(required=True, validate=validate.OneOf(("month", "quarter", "year")))
    label = ma.fields.String(required=True)
    start = ma.fields.DateTime(required=True)
    end = ma.fields.DateTime(required=True)
    group_by = ma.fields.String(required=True,
                                validate=validate.OneOf(("department", "hall", "window", "item", "staff")))
    rows = ma.fields.List(ma.fields.Nested(RatingStatsRowSchema), required=True)
    overall = ma.fields.Nested(RatingStatsRowSchema, required=True)


class StaffRatingStatsSchema(RatingStatsSchema):
    department_code = _opt(ma.fields.String())
    reasons = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer(), required=True)
    open_rectifications = ma.fields.Integer(required=True)
    overdue_rectifications = ma.fields.Integer(required=True)

