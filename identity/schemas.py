import marshmallow as ma
from marshmallow import validate




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
    token_type = ma.fields.String(required=True, metadata={"example": "Bearer"})
    expires_in = ma.fields.Integer(required=True, metadata={"description": "访问令牌有效秒数"})


class WhoAmISchema(ma.Schema):
    kind = ma.fields.String(required=True)
    id = ma.fields.Integer(required=True)
    role = ma.fields.String(required=True)
    department_code = ma.fields.String(allow_none=True, dump_default=None, required=True)
    hall_id = ma.fields.Integer(allow_none=True, dump_default=None, required=True)
    channel = ma.fields.String(allow_none=True, dump_default=None, required=True)
