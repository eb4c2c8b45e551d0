"""Admin API for staff and kiosk accounts: deactivate, reactivate, reset a password."""

from flask import current_app
from flask_smorest import Blueprint

from mobile_api.pagination import PAGINATION_HEADER_DOC, paginate, pagination_header
from mobile_api.uow import current_uow

from . import staff_admin, staff_directory
from .auth import current_actor, require_roles
from .passwords import generate_password
from .schemas import (KioskAccountSchema, PasswordResetResultSchema, PasswordResetSchema, StaffAccountSchema,
                      StaffDeactivateSchema, StaffListArgsSchema, WeComBindSchema)

blp = Blueprint("identity_admin", __name__, url_prefix="/api/v1/identity", description="工作人员与自助终端账号管理")


def _session():
    return current_uow().session


def _tokens():
    return current_app.extensions["tokens"]


def _clock():
    return current_uow().clock


@blp.route("/staff/<int:staff_id>/deactivate", methods=["POST"])
@require_roles("admin")
@blp.arguments(StaffDeactivateSchema)
@blp.response(200, StaffAccountSchema)
@blp.alt_response(404, description="工作人员不存在")
@blp.alt_response(409, description="已停用, 或停用自己")
@blp.alt_response(503, description="Redis 不可用, 未做更改")
def deactivate_staff(body, staff_id):
    """Deactivate a staff member and revoke their tokens."""
    session = _session()
    return staff_admin.deactivate_staff(session, _tokens(), _clock(), current_actor(),
                                        staff_admin.get_staff(session, staff_id), body.get("reason"))


@blp.route("/staff/<int:staff_id>/reactivate", methods=["POST"])
@require_roles("admin")
@blp.response(200, StaffAccountSchema)
@blp.alt_response(404, description="工作人员不存在")
@blp.alt_response(409, description="未被停用")
def reactivate_staff(staff_id):
    """Reactivate a deactivated staff member."""
    session = _session()
    return staff_admin.reactivate_staff(session, _clock(), current_actor(), staff_admin.get_staff(session, staff_id))


@blp.route("/staff/<int:staff_id>/password", methods=["POST"])
@require_roles("admin")
@blp.arguments(PasswordResetSchema)
@blp.response(200, PasswordResetResultSchema)
@blp.alt_response(404, description="工作人员不存在")
@blp.alt_response(422, description="密码强度不足")
def reset_staff_password(body, staff_id):
    """Set a new password for a staff member (generated if none is given); logs them out."""
    session = _session()
    generated = "new_password" not in body
    password = generate_password() if generated else body["new_password"]
    staff = staff_admin.reset_staff_password(session, _tokens(), _clock(), current_actor(),
                                             staff_admin.get_staff(session, staff_id), password,
                                             scrypt_n=current_app.config["PASSWORD_SCRYPT_N"])
    return {"staff": staff, "temporary_password": password if generated else None}


@blp.route("/kiosks/<int:device_id>/deactivate", methods=["POST"])
@require_roles("admin")
@blp.response(200, KioskAccountSchema)
@blp.alt_response(404, description="自助终端不存在")
@blp.alt_response(409, description="已停用")
def deactivate_kiosk(device_id):
    """Deactivate a kiosk device and revoke its tokens (platform admin)."""
    session = _session()
    return staff_admin.set_kiosk_active(session, _tokens(), _clock(), current_actor(),
                                        staff_admin.get_kiosk(session, device_id), False)


@blp.route("/kiosks/<int:device_id>/reactivate", methods=["POST"])
@require_roles("admin")
@blp.response(200, KioskAccountSchema)
@blp.alt_response(404, description="自助终端不存在")
@blp.alt_response(409, description="未被停用")
def reactivate_kiosk(device_id):
    """Reactivate a kiosk device (platform admin)."""
    session = _session()
    return staff_admin.set_kiosk_active(session, _tokens(), _clock(), current_actor(),
                                        staff_admin.get_kiosk(session, device_id), True)


@blp.route("/staff", methods=["GET"])
@require_roles("admin")
@blp.arguments(StaffListArgsSchema, location="query")
@blp.response(200, StaffAccountSchema(many=True), headers=PAGINATION_HEADER_DOC)
def list_staff(args):
    """Staff an admin may see (platform: all; department or hall admin: their own), searchable by name."""
    filters = {k: args.get(k) for k in ("q", "role", "department_code", "hall_id", "active")}
    rows, total = paginate(_session(), staff_directory.staff_listing(current_actor(), **filters), args["page"],
                           args["page_size"])
    return rows, 200, pagination_header(total, args["page"], args["page_size"])


@blp.route("/staff/<int:staff_id>/wecom", methods=["PUT"])
@require_roles("admin")
@blp.arguments(WeComBindSchema)
@blp.response(200, StaffAccountSchema)
@blp.alt_response(404, description="工作人员不存在")
@blp.alt_response(409, description="该企业微信账号已绑定其他工作人员")
def bind_wecom(body, staff_id):
    """Bind a staff member's 企业微信 account, where their notices are sent (audited)."""
    session = _session()
    return staff_directory.set_wecom_userid(session, _clock(), current_actor(),
                                            staff_admin.get_staff(session, staff_id), body["wecom_userid"])


@blp.route("/staff/<int:staff_id>/wecom", methods=["DELETE"])
@require_roles("admin")
@blp.response(200, StaffAccountSchema)
@blp.alt_response(404, description="工作人员不存在")
def unbind_wecom(staff_id):
    """Remove a staff member's 企业微信 binding; their notices stay in the in-app inbox (audited)."""
    session = _session()
    return staff_directory.set_wecom_userid(session, _clock(), current_actor(),
                                            staff_admin.get_staff(session, staff_id), None)


@blp.route("/me/wecom", methods=["PUT"])
@require_roles("clerk", "approver", "admin")
@blp.arguments(WeComBindSchema)
@blp.response(200, StaffAccountSchema)
@blp.alt_response(409, description="该企业微信账号已绑定其他工作人员")
def bind_own_wecom(body):
    """Bind my own 企业微信 account (audited)."""
    session = _session()
    actor = current_actor()
    return staff_directory.set_wecom_userid(session, _clock(), actor, staff_admin.get_staff(session, actor.id),
                                            body["wecom_userid"])


@blp.route("/me/wecom", methods=["DELETE"])
@require_roles("clerk", "approver", "admin")
@blp.response(200, StaffAccountSchema)
def unbind_own_wecom():
    """Remove my own 企业微信 binding (audited)."""
    session = _session()
    actor = current_actor()
    return staff_directory.set_wecom_userid(session, _clock(), actor, staff_admin.get_staff(session, actor.id), None)
