"""HTTP schemas of real-name binding and face checks (by hand)."""

import marshmallow as ma
from marshmallow import validate



class RealNameDeclareSchema(ma.Schema):
    name = ma.fields.String(required=True, validate=validate.Length(min=1, max=30))
    id_number = ma.fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=32))


class RealNameSummarySchema(ma.Schema):
    status = ma.fields.String(required=True, validate=ma.validate.OneOf(["none", "declared", "verified"]),
                              metadata={"description": "none | declared | verified"})
    name_masked = ma.fields.String(required=True, allow_none=True)
    id_number_masked = ma.fields.String(required=True, allow_none=True)


class ConsentTextSchema(ma.Schema):
    text_version = ma.fields.String(required=True)
    text = ma.fields.String(required=True)
    consented = ma.fields.Boolean(required=True)


class ConsentCreateSchema(ma.Schema):
    text_version = ma.fields.String(required=True, validate=validate.Length(min=1, max=32))
    agree = ma.fields.Boolean(required=True, validate=validate.Equal(True, error="须明确同意 (agree 为 true)"))


class ConsentSchema(ma.Schema):
    text_version = ma.fields.String(required=True)
    consented_at = ma.fields.DateTime(required=True)


# Multipart bodies: OpenAPI 3 has one request body, so each schema names the
# form fields and, for the documentation only, the file fields (which webargs
# does not see in the form; the view reads them from request.files).
_FILE = {"type": "string", "format": "binary"}


class EnrolmentFormSchema(ma.Schema):
    id_number = ma.fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=32))
    citizen_consented = ma.fields.Boolean(required=True, load_only=True,
                                          metadata={"description": "本人已在终端或窗口同意采集底库 (须为 true)"})
    photo = ma.fields.Raw(load_only=True, metadata={**_FILE, "description": "身份证芯片照片 (JPEG/PNG), 必填"})


class EnrolmentSchema(ma.Schema):
    id_number_masked = ma.fields.String(required=True)
    enrolled_at = ma.fields.DateTime(required=True)
    replaced = ma.fields.Boolean(required=True, metadata={"description": "是否替换了原有底库"})


class ChallengeSchema(ma.Schema):
    challenge_id = ma.fields.String(required=True)
    actions = ma.fields.List(ma.fields.String(), required=True,
                             metadata={"description": "按顺序完成的动作: turn_left, turn_right, face_front"})
    action_labels = ma.fields.List(ma.fields.String(), required=True)
    expires_at = ma.fields.DateTime(required=True)
    min_frames = ma.fields.Integer(required=True)
    max_frames = ma.fields.Integer(required=True)


class VerificationFormSchema(ma.Schema):
    challenge_id = ma.fields.String(required=True, validate=validate.Length(min=1, max=64))
    frames = ma.fields.List(ma.fields.Raw(metadata=_FILE), load_only=True,
                            metadata={"description": "3–6 帧 JPEG 或 PNG, 字段名均为 frames, 必填"})


class VerificationSchema(ma.Schema):
    passed = ma.fields.Boolean(required=True)
    score = ma.fields.Float(required=True, allow_none=True,
                            metadata={"description": "与底库的相似度 (1 - 特征距离)"})
    threshold_score = ma.fields.Float(required=True, allow_none=True)
    reasons = ma.fields.List(ma.fields.String(), required=True)
    step_up_token = ma.fields.String(required=True, allow_none=True)
    step_up_expires_in = ma.fields.Integer(required=True, allow_none=True)
    failures_left = ma.fields.Integer(required=True, allow_none=True)
