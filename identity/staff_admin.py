"""Staff and kiosk lifecycle: deactivate, reactivate, reset a password.

Who may: an admin. A platform admin (no department, no hall) manages every
staff member and every kiosk; a department admin only the staff of their own
department; a hall admin (no department, a hall) is not a platform admin and
manages no accounts. The command line acts as the system. Every change is audited, and
deactivating someone (or resetting their password) revokes what they hold:
their refresh tokens in the database, their access tokens on the deny-list
(Redis and database; with Redis down the change is refused with a 503 rather
than left half-done).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from mobile_api import audit
from mobile_api.actor import Actor
from mobile_api.db import MAX_INTEGER_ID
from mobile_api.errors import Forbidden

from . import access
from .errors import AlreadyInState, CannotChangeSelf, PrincipalNotFound, WeakPassword
from .models import KioskDevice, StaffUser
from .passwords import DEFAULT_N, hash_password, password_problem
from .tokens import TokenService


def ensure_can_manage_staff(actor: Actor, staff: StaffUser) -> None:
    """The platform admin manages everyone; a department admin the staff of
    that department; a hall admin manages no accounts."""
    if actor.kind == "system" or access.is_platform_admin(actor):
        return
    if not access.is_department_admin(actor):
        raise Forbidden("仅平台管理员或部门管理员可管理工作人员账号")
    if staff.department_code != actor.department_code:
        raise Forbidden("部门管理员只能管理本部门的工作人员")


def ensure_can_manage_kiosks(actor: Actor) -> None:
    if actor.kind == "system":
        return
    access.ensure_platform_admin(actor, "仅平台管理员可管理自助终端")


def get_staff(session: Session, staff_id: int) -> StaffUser:
    staff = session.get(StaffUser, staff_id) if 0 < staff_id <= MAX_INTEGER_ID else None
    if staff is None:
        raise PrincipalNotFound(f"工作人员 {staff_id} 不存在")
    return staff


def find_staff(session: Session, username: str) -> StaffUser:
    staff = session.scalar(select(StaffUser).where(StaffUser.username == username))
    if staff is None:
        raise PrincipalNotFound(f"工作人员 {username} 不存在")
    return staff


def get_kiosk(session: Session, device_id: int) -> KioskDevice:
    device = session.get(KioskDevice, device_id) if 0 < device_id <= MAX_INTEGER_ID else None
    if device is None:
        raise PrincipalNotFound(f"自助终端 {device_id} 不存在", code="identity.kiosk_not_found")
    return device


def find_kiosk(session: Session, device_code: str, kind: str = "kiosk") -> KioskDevice:
    """A device of this kind (kiosks and boards share the table; one is never
    managed as the other)."""
    device = session.scalar(select(KioskDevice).where(KioskDevice.device_code == device_code,
                                                      KioskDevice.kind == kind))
    if device is None:
        what = "叫号大屏" if kind == "board" else "自助终端"
        raise PrincipalNotFound(f"{what} {device_code} 不存在", code="identity.kiosk_not_found")
    return device


def _revoke_everything(session: Session, tokens: TokenService, kind: str, principal_id: int) -> int:
    refresh_revoked = tokens.revoke_all_for(session, kind, principal_id)
    tokens.revoke_access_for(session, kind, principal_id)  # raises if Redis cannot take it
    return refresh_revoked


def deactivate_staff(session: Session, tokens: TokenService, clock, actor: Actor, staff: StaffUser,
                     reason: str | None = None) -> StaffUser:
    ensure_can_manage_staff(actor, staff)
    if actor.kind == "staff" and actor.id == staff.id:
        raise CannotChangeSelf("不能停用自己的账号")
    if not staff.active:
        raise AlreadyInState(f"工作人员 {staff.username} 已停用")

    def change():
        staff.active = False
        revoked = _revoke_everything(session, tokens, "staff", staff.id)
        audit.record(session, actor, "staff.deactivate", "staff", staff.id,
                     {"reason": reason, "refresh_tokens_revoked": revoked}, at=clock.now())

    change()
    return staff


def reactivate_staff(session: Session, clock, actor: Actor, staff: StaffUser) -> StaffUser:
    ensure_can_manage_staff(actor, staff)
    if staff.active:
        raise AlreadyInState(f"工作人员 {staff.username} 未被停用")

    def change():
        staff.active = True
        staff.failed_logins = 0
        staff.locked_until = None
        audit.record(session, actor, "staff.reactivate", "staff", staff.id, at=clock.now())

    change()
    return staff


def reset_staff_password(session: Session, tokens: TokenService, clock, actor: Actor, staff: StaffUser,
                         new_password: str, scrypt_n: int = DEFAULT_N) -> StaffUser:
    """A new password; whoever held the old one is logged out everywhere."""
    ensure_can_manage_staff(actor, staff)
    problem = password_problem(new_password, staff.username)
    if problem:
        raise WeakPassword(problem, errors={"new_password": [problem]})

    def change():
        staff.password_hash = hash_password(new_password, scrypt_n)
        staff.failed_logins = 0
        staff.locked_until = None
        revoked = _revoke_everything(session, tokens, "staff", staff.id)
        audit.record(session, actor, "staff.password_reset", "staff", staff.id,
                     {"refresh_tokens_revoked": revoked}, at=clock.now())

    change()
    return staff


def set_kiosk_active(session: Session, tokens: TokenService, clock, actor: Actor, device: KioskDevice,
                     active: bool) -> KioskDevice:
    ensure_can_manage_kiosks(actor)
    if device.active == active:
        raise AlreadyInState(f"自助终端 {device.device_code} 已{'启用' if active else '停用'}")

    def change():
        device.active = active
        details = {}
        if not active:
            details["refresh_tokens_revoked"] = _revoke_everything(session, tokens, "kiosk", device.id)
        audit.record(session, actor, "kiosk.reactivate" if active else "kiosk.deactivate", "kiosk", device.id,
                     details, at=clock.now())

    change()
    return device
