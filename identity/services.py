"""Identity use cases: create principals, log them in, refresh, log out.

Plain functions: the session, the token service and the clock come in as
arguments; they audit every change and leave the commit to the unit of work
(`mobile_api.uow`). The one early commit is a failed staff login: it must
count towards the lockout even though the request answers 401.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mobile_api import audit
from mobile_api.actor import STAFF_ROLES, SYSTEM, Actor
from mobile_api.uow import commit_point

from .errors import (AccountLocked, InvalidCredentials, InvalidStaffRole, PrincipalNotFound, StaffExists, TokenInvalid,
                     WeakPassword)
from .models import Citizen, KioskDevice, StaffUser
from .passwords import DEFAULT_N, dummy_hash, hash_password, password_problem, verify_password
from .tokens import TokenPair, TokenService, hash_secret


def citizen_actor(citizen: Citizen, channel: str | None = None) -> Actor:
    """`channel`: the one the citizen logged in through (a login, a refresh)."""
    return Actor(kind="citizen", id=citizen.id, role="citizen", channel=channel, login_channel=channel)


def staff_actor(staff: StaffUser, channel: str | None = "window") -> Actor:
    return Actor(kind="staff", id=staff.id, role=staff.role, department_code=staff.department_code,
                 hall_id=staff.hall_id, channel=channel)


def kiosk_actor(device: KioskDevice) -> Actor:
    return Actor(kind="kiosk", id=device.id, role="kiosk", hall_id=device.hall_id, channel="kiosk")


def load_actor(session: Session, kind: str, principal_id: int, channel: str | None = None) -> Actor:
    """The current state of a principal, for a refresh: a disabled or closed
    principal gets no new tokens."""
    if kind == "citizen":
        citizen = session.get(Citizen, principal_id)
        if citizen is None or citizen.status != "active":
            raise TokenInvalid("账号不存在或已注销")
        return citizen_actor(citizen, channel)
    if kind == "staff":
        staff = session.get(StaffUser, principal_id)
        if staff is None or not staff.active:
            raise TokenInvalid("账号不存在或已停用")
        return staff_actor(staff, channel)
    if kind == "kiosk":
        device = session.get(KioskDevice, principal_id)
        if device is None or not device.active or device.kind != "kiosk":
            raise TokenInvalid("设备不存在或已停用")
        return kiosk_actor(device)
    raise TokenInvalid("未知的用户类型")


# -- citizens ------------------------------------------------------------

def create_citizen(session: Session, clock, actor: Actor = SYSTEM, display_name: str | None = None) -> Citizen:
    citizen = Citizen(public_id=str(uuid.uuid4()), status="active", display_name=display_name,
                      created_at=clock.now())
    session.add(citizen)
    session.flush()
    audit.record(session, actor, "citizen.create", "citizen", citizen.id, at=clock.now())
    return citizen


def issue_citizen_tokens(session: Session, tokens: TokenService, citizen: Citizen,
                         channel: str | None) -> TokenPair:
    return tokens.issue_pair(session, citizen_actor(citizen, channel))


# -- staff ---------------------------------------------------------------

def create_staff(session: Session, clock, username: str, password: str, role: str, display_name: str,
                 department_code: str | None = None, hall_id: int | None = None, actor: Actor = SYSTEM,
                 scrypt_n: int = DEFAULT_N) -> StaffUser:
    if role not in STAFF_ROLES:
        raise InvalidStaffRole(f"角色应为 {'、'.join(STAFF_ROLES)} 之一", errors={"role": ["取值不在允许范围内"]})
    if role in ("clerk", "approver") and not department_code and hall_id is None:
        raise InvalidStaffRole("窗口人员和审批人员须属于一个部门或大厅")
    problem = password_problem(password, username)
    if problem:
        raise WeakPassword(problem, errors={"password": [problem]})
    staff = StaffUser(username=username, display_name=display_name, password_hash=hash_password(password, scrypt_n),
                      role=role, department_code=department_code, hall_id=hall_id, active=True,
                      failed_logins=0, created_at=clock.now())
    try:
        # A savepoint: the unique username decides, and the caller's session
        # stays usable after the refusal.
        with session.begin_nested():
            session.add(staff)
    except IntegrityError as exc:
        raise StaffExists(f"用户名 {username} 已存在") from exc
    audit.record(session, actor, "staff.create", "staff", staff.id,
                 {"username": username, "role": role, "department": department_code, "hall_id": hall_id},
                 at=clock.now())
    return staff


def staff_login(session: Session, tokens: TokenService, clock, username: str, password: str, *,
                max_failures: int, lockout_seconds: int, actor_context: Actor, scrypt_n: int = DEFAULT_N) -> TokenPair:
    now = clock.now()
    staff = session.scalar(select(StaffUser).where(StaffUser.username == username))
    if staff is None or not staff.active:
        verify_password(password, dummy_hash(scrypt_n))
        raise InvalidCredentials("用户名或密码不正确")
    if staff.locked_until is not None and staff.locked_until > now:
        retry = int((staff.locked_until - now).total_seconds()) + 1
        raise AccountLocked(f"登录失败次数过多，账号已锁定，请在 {retry // 60 + 1} 分钟后重试",
                            headers={"Retry-After": str(retry)})
    context = actor_context.with_context(kind="staff", id=staff.id, role=staff.role,
                                         department_code=staff.department_code, hall_id=staff.hall_id)
    if not verify_password(password, staff.password_hash):
        # Counted in SQL so parallel guesses cannot slip past the limit.
        session.execute(update(StaffUser).where(StaffUser.id == staff.id)
                        .values(failed_logins=StaffUser.failed_logins + 1))
        session.refresh(staff)
        locked = staff.failed_logins >= max_failures
        if locked:
            staff.locked_until = now + timedelta(seconds=lockout_seconds)
            staff.failed_logins = 0
        audit.record(session, context, "staff.login_failed", "staff", staff.id, {"locked": locked}, at=now)
        commit_point(session, "a failed staff login counts towards the lockout although the request answers 401")
        if locked:
            raise AccountLocked(f"登录失败次数过多，账号已锁定 {lockout_seconds // 60} 分钟",
                                headers={"Retry-After": str(lockout_seconds)})
        raise InvalidCredentials("用户名或密码不正确")
    staff.failed_logins = 0
    staff.locked_until = None
    pair = tokens.issue_pair(session, staff_actor(staff, actor_context.channel or "window"))
    audit.record(session, context, "staff.login", "staff", staff.id, at=now)
    return pair


# -- kiosks --------------------------------------------------------------

def register_kiosk(session: Session, clock, device_code: str, name: str, hall_id: int,
                   actor: Actor = SYSTEM, kind: str = "kiosk") -> tuple[KioskDevice, str]:
    """Returns the device and its secret; the secret is shown once and only its hash is kept.
    `kind` "board" registers a hall display board (see `board_device`)."""
    secret = secrets.token_urlsafe(32)
    device = KioskDevice(device_code=device_code, name=name, hall_id=hall_id, secret_hash=hash_secret(secret),
                         active=True, created_at=clock.now(), kind=kind)
    try:
        with session.begin_nested():  # the unique device code decides; the session stays usable
            session.add(device)
    except IntegrityError as exc:
        raise StaffExists(f"设备编号 {device_code} 已存在", code="identity.device_exists") from exc
    audit.record(session, actor, f"{kind}.register", kind, device.id, {"hall_id": hall_id}, at=clock.now())
    return device, secret


def board_device(session: Session, device_code: str, secret: str) -> KioskDevice:
    """An active board device whose secret matches; one wrong answer for every failure."""
    device = session.scalar(select(KioskDevice).where(KioskDevice.device_code == device_code))
    if (device is None or not device.active or device.kind != "board"
            or not secrets.compare_digest(device.secret_hash, hash_secret(secret))):
        raise InvalidCredentials("设备编号或密钥不正确", code="auth.invalid_device_credentials")
    return device


def active_board(session: Session, device_id: int) -> KioskDevice | None:
    device = session.get(KioskDevice, device_id)
    return device if device is not None and device.active and device.kind == "board" else None


def kiosk_login(session: Session, tokens: TokenService, clock, device_code: str, secret: str,
                actor_context: Actor) -> TokenPair:
    device = session.scalar(select(KioskDevice).where(KioskDevice.device_code == device_code))
    # a board's secret buys no kiosk token: a stolen display must not issue tickets
    if (device is None or not device.active or device.kind != "kiosk"
            or not secrets.compare_digest(device.secret_hash, hash_secret(secret))):
        raise InvalidCredentials("设备编号或密钥不正确", code="auth.invalid_device_credentials")
    pair = tokens.issue_pair(session, kiosk_actor(device))
    audit.record(session, kiosk_actor(device).with_context(request_id=actor_context.request_id,
                                                             ip=actor_context.ip),
                 "kiosk.login", "kiosk", device.id, at=clock.now())
    return pair


# -- refresh and logout --------------------------------------------------

def refresh(session: Session, tokens: TokenService, raw_refresh_token: str) -> TokenPair:
    pair, _ = tokens.rotate(session, raw_refresh_token,
                            lambda kind, pid, channel: load_actor(session, kind, pid, channel))
    return pair


def logout(session: Session, tokens: TokenService, clock, actor: Actor, claims: dict,
           raw_refresh_token: str | None) -> None:
    tokens.deny(claims, session)  # Redis refusing the write leaves nothing half-done (503)
    if raw_refresh_token:
        tokens.revoke_by_raw(session, raw_refresh_token, actor.kind, actor.id)
    audit.record(session, actor, "auth.logout", actor.kind, actor.id, at=clock.now())


def get_staff(session: Session, staff_id: int) -> StaffUser:
    staff = session.get(StaffUser, staff_id)
    if staff is None:
        raise PrincipalNotFound()
    return staff
