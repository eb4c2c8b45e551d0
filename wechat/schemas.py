"""HTTP schemas for the WeChat endpoints, by hand."""

import marshmallow as ma
from marshmallow import validate

from .settings import EVENTS

# WeChat codes are short visible-ASCII strings; the stand-in's are `<user>:<nonce>`.
_CODE = dict(required=True, validate=[validate.Length(min=1, max=128),
                                      validate.Regexp(r"^[\x21-\x7e]+$", error="应为可见 ASCII 字符")])
_APPID = dict(validate=[validate.Length(min=1, max=32), validate.Regexp(r"^[A-Za-z0-9_\-]+$", error="格式不正确")],
              metadata={"description": "可选：客户端所属的微信应用 appid，用于核对"})




class WeChatLoginSchema(ma.Schema):
    code = ma.fields.String(metadata={"description": "wx.login() / 微信 OAuth 得到的 code"}, **_CODE)
    appid = ma.fields.String(**_APPID)


class PhoneBindSchema(ma.Schema):
    code = ma.fields.String(metadata={"description": "getPhoneNumber 得到的 code"}, **_CODE)


class CitizenBriefSchema(ma.Schema):
    public_id = ma.fields.String(required=True)
    is_new = ma.fields.Boolean(required=True, metadata={"description": "本次登录新建了账号"})
    merged = ma.fields.Boolean(required=True, metadata={"description": "本次登录合并了同一微信用户的两个账号"})


class WeChatLoginResultSchema(ma.Schema):
    access_token = ma.fields.String(required=True)
    refresh_token = ma.fields.String(required=True)
    token_type = ma.fields.String(required=True, validate=validate.OneOf(["Bearer"]))
    expires_in = ma.fields.Integer(required=True)
    citizen = ma.fields.Nested(CitizenBriefSchema, required=True)


class PhoneBindResultSchema(ma.Schema):
    phone_masked = ma.fields.String(required=True, metadata={"example": "138****5678"})


class RealNameStatusSchema(ma.Schema):
    status = ma.fields.String(required=True, validate=validate.OneOf(["none", "declared", "verified"]))
    name_masked = ma.fields.String(required=True, allow_none=True)
    id_number_masked = ma.fields.String(required=True, allow_none=True)


class LinkedChannelSchema(ma.Schema):
    channel = ma.fields.String(required=True, validate=validate.OneOf(["miniprogram", "app"]),
                               metadata={"description": "miniprogram 或 app"})
    linked_at = ma.fields.DateTime(required=True)
    last_login_at = ma.fields.DateTime(required=True)
    unionid_linked = ma.fields.Boolean(required=True)


class ProfileSchema(ma.Schema):
    public_id = ma.fields.String(required=True)
    display_name = ma.fields.String(required=True, allow_none=True)
    created_at = ma.fields.DateTime(required=True)
    phone_masked = ma.fields.String(required=True, allow_none=True)
    phone_bound_at = ma.fields.DateTime(required=True, allow_none=True)
    real_name = ma.fields.Nested(RealNameStatusSchema, required=True)
    channels = ma.fields.List(ma.fields.Nested(LinkedChannelSchema), required=True)


class SubscriptionResultsSchema(ma.Schema):
    results = ma.fields.Dict(
        required=True,
        keys=ma.fields.String(validate=validate.Length(min=1, max=64)),
        values=ma.fields.String(validate=validate.OneOf(["accept", "reject", "ban", "filter"])),
        validate=validate.Length(min=1, max=10),
        metadata={"description": "wx.requestSubscribeMessage 的结果：{模板 id: accept|reject|ban|filter}"})


class TemplateGrantSchema(ma.Schema):
    event = ma.fields.String(required=True, validate=validate.OneOf(EVENTS))
    template_id = ma.fields.String(required=True)
    available = ma.fields.Integer(required=True, metadata={"description": "尚未使用的一次性订阅次数"})


class TemplateGrantListSchema(ma.Schema):
    templates = ma.fields.List(ma.fields.Nested(TemplateGrantSchema), required=True)


class FaceVerifyStartSchema(ma.Schema):
    name = ma.fields.String(required=True, validate=validate.Length(min=2, max=30))
    id_number = ma.fields.String(required=True, validate=validate.Regexp(r"^\d{17}[\dXx]$",
                                                                         error="应为 18 位身份证号"))


class FaceVerifyIdSchema(ma.Schema):
    verify_id = ma.fields.String(required=True)
    expires_in = ma.fields.Integer(required=True)


class FaceVerifyResultRequestSchema(ma.Schema):
    verify_id = ma.fields.String(required=True, validate=validate.Length(min=1, max=256))
    client_result = ma.fields.String(validate=validate.Length(max=32),
                                     metadata={"description": "小程序侧的结果，仅记录，不作为依据"})


class FaceVerifyResultSchema(ma.Schema):
    passed = ma.fields.Boolean(required=True)
    method = ma.fields.String(required=True, validate=validate.OneOf(["wechat", "local"]),
                              metadata={"description": "核身方式：wechat 微信人脸核身 | local 本平台比对"})
    reasons = ma.fields.List(ma.fields.String(), required=True)
    step_up_token = ma.fields.String(required=True, allow_none=True)
    step_up_expires_in = ma.fields.Integer(required=True, allow_none=True)
