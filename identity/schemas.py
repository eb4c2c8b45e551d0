import marshmallow as ma
from marshmallow import validate

from mobile_api.pagination import PageArgsSchema
from mobile_api.actor import ROLES, STAFF_ROLES
from mobile_api.request_guards import CHANNELS




class StaffLoginSchema(ma.Schema):
    username = ma.fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = ma.fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=256))


class KioskTokenRequestSchema(ma.Schema):
    device_code = ma.fields.String(required=True, validate=validate.Length(min=1, max=64))
    secret = ma.fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=256))


class RefreshRequestSchema(ma.Schema):
    refresh_token = ma.fields.String(required=True, validate=validate.Length(min=10, max=256))


class LogoutRequestSchema(ma.Schema):
    refresh_token = ma.fields.String(validate=validate.Length(min=10, max=256))


class TokenPairSchema(ma.Schema):
    access_token = ma.fields.String(required=True)
    refresh_token = ma.fields.String(required=True)
    token_type = ma.fields.String(required=True, validate=validate.OneOf(["Bearer"]), metadata={"example": "Bearer"})
    expires_in = ma.fields.Integer(required=True, metadata={"description": "访问令牌有效秒数"})


class WhoAmISchema(ma.Schema):
    kind = ma.fields.String(required=True, validate=validate.OneOf(["citizen", "staff", "kiosk"]))
    id = ma.fields.Integer(required=True)
    role = ma.fields.String(required=True, validate=validate.OneOf(ROLES))
    department_code = ma.fields.String(allow_none=True, dump_default=None, required=True)
    hall_id = ma.fields.Integer(allow_none=True, dump_default=None, required=True)
    channel = ma.fields.String(allow_none=True, dump_default=None, required=True, validate=validate.OneOf(CHANNELS))


class StaffAccountSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    username = ma.fields.String(required=True)
    display_name = ma.fields.String(required=True)
    role = ma.fields.String(required=True, validate=validate.OneOf(STAFF_ROLES))
    department_code = ma.fields.String(allow_none=True, required=True)
    hall_id = ma.fields.Integer(allow_none=True, required=True)
    active = ma.fields.Boolean(required=True)
    wecom_userid = ma.fields.String(allow_none=True, dump_default=None, required=True,
                                    metadata={"description": "绑定的企业微信成员账号 (工作通知发往此处); 未绑定为 null"})


class StaffListArgsSchema(PageArgsSchema):
    q = ma.fields.String(validate=validate.Length(min=1, max=64), metadata={"description": "用户名或姓名包含"})
    role = ma.fields.String(validate=validate.OneOf(["clerk", "approver", "admin"]))
    department_code = ma.fields.String(validate=validate.Length(min=1, max=32))
    hall_id = ma.fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))
    active = ma.fields.Boolean()


class WeComBindSchema(ma.Schema):
    wecom_userid = ma.fields.String(required=True, validate=validate.Length(min=1, max=64),
                                    metadata={"description": "企业微信成员账号 (UserID)"})


class StaffDeactivateSchema(ma.Schema):
    reason = ma.fields.String(validate=validate.Length(min=1, max=200))


class PasswordResetSchema(ma.Schema):
    new_password = ma.fields.String(load_only=True, validate=validate.Length(min=1, max=256),
                                    metadata={"description": "不给时生成随机密码并在应答中返回一次"})


class PasswordResetResultSchema(ma.Schema):
    staff = ma.fields.Nested(StaffAccountSchema, required=True)
    temporary_password = ma.fields.String(allow_none=True, required=True,
                                          metadata={"description": "生成的密码 (仅此一次); 自行设置时为 null"})


class KioskAccountSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    device_code = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    hall_id = ma.fields.Integer(required=True)
    active = ma.fields.Boolean(required=True)
