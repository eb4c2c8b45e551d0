from mobile_api.errors import DomainError


class IdentityError(DomainError):
    code = "identity.error"


class InvalidCredentials(IdentityError):
    status = 401
    code = "auth.invalid_credentials"
    title = "用户名或密码不正确"


class AccountLocked(IdentityError):
    status = 423
    code = "auth.account_locked"
    title = "账号已被临时锁定"


class TokenInvalid(IdentityError):
    status = 401
    code = "auth.token_invalid"
    title = "令牌无效"

    def __init__(self, detail=None, **kwargs):
        kwargs.setdefault("headers", {"WWW-Authenticate": 'Bearer error="invalid_token"'})
        super().__init__(detail, **kwargs)


class TokenExpired(TokenInvalid):
    code = "auth.token_expired"
    title = "令牌已过期"


class TokenRevoked(TokenInvalid):
    code = "auth.token_revoked"
    title = "令牌已被吊销"


class RefreshTokenReused(TokenInvalid):
    code = "auth.refresh_reused"
    title = "刷新令牌已被使用"


class PrincipalNotFound(IdentityError):
    status = 404
    code = "identity.not_found"
    title = "用户不存在"


class StaffExists(IdentityError):
    status = 409
    code = "identity.staff_exists"
    title = "用户名已存在"


class WeakPassword(IdentityError):
    status = 422
    code = "identity.weak_password"
    title = "密码强度不足"


class UnknownScope(IdentityError):
    """A department or hall that does not exist."""

    status = 422
    code = "identity.unknown_scope"
    title = "部门或大厅不存在"


class InvalidStaffRole(IdentityError):
    status = 422
    code = "identity.invalid_role"
    title = "角色或归属不正确"


class CannotChangeSelf(IdentityError):
    status = 409
    code = "identity.cannot_change_self"
    title = "不能对自己执行此操作"


class AlreadyInState(IdentityError):
    status = 409
    code = "identity.already_in_state"
    title = "账号已处于该状态"


class InvalidWeComUserId(IdentityError):
    status = 422
    code = "identity.invalid_wecom_userid"
    title = "企业微信账号不正确"


class WeComUserIdTaken(IdentityError):
    status = 409
    code = "identity.wecom_userid_taken"
    title = "企业微信账号已绑定其他工作人员"
