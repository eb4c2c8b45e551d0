"""`flask staff …` and `flask kiosk …`: accounts from the command line.

Every refusal is one line (`Error: …`, exit status 1), never a traceback:
unknown halls and departments, duplicate names, weak passwords.
"""

import functools

import click
from flask import current_app
from flask.cli import AppGroup

from sqlalchemy.exc import OperationalError

from mobile_api.actor import SYSTEM
from mobile_api.errors import DomainError
from mobile_api.uow import unit_of_work

from . import services, staff_admin, staff_directory
from .denylist import REDIS_DOWN
from .passwords import generate_password
from .scopes import ensure_scope_exists

staff_cli = AppGroup("staff", help="工作人员账号")
kiosk_cli = AppGroup("kiosk", help="自助终端设备")


def _one_line_errors(command):
    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except DomainError as exc:
            raise click.ClickException(f"{exc.detail} ({exc.code})") from None
        except REDIS_DOWN as exc:
            raise click.ClickException(f"Redis 不可用，未做任何更改: {exc}") from None
        except OperationalError as exc:
            raise click.ClickException(f"数据库不可用，未做任何更改: {exc.orig}") from None

    return wrapper


def _work(command: str):
    return unit_of_work(current_app, SYSTEM, name=f"cli:{command}")


def _tokens():
    return current_app.extensions["tokens"]


@staff_cli.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice(["clerk", "approver", "admin"]), required=True)
@click.option("--name", "display_name", required=True)
@click.option("--department", "department_code", default=None)
@click.option("--hall", "hall_id", type=int, default=None)
@click.password_option(help="至少 10 个字符，含字母、数字、符号中的两类")
@_one_line_errors
def create_staff(username, role, display_name, department_code, hall_id, password):
    """Create a staff user."""
    with _work("staff create") as uow:
        ensure_scope_exists(uow.session, department_code, hall_id)
        staff = services.create_staff(uow.session, uow.clock, username, password, role,
                                      display_name, department_code, hall_id,
                                      scrypt_n=uow.config["PASSWORD_SCRYPT_N"])
    click.echo(f"created staff {staff.username} (id {staff.id}, role {staff.role})")


@staff_cli.command("deactivate")
@click.argument("username")
@click.option("--reason", default=None, help="停用原因 (记入审计日志)")
@_one_line_errors
def deactivate_staff(username, reason):
    """Deactivate a staff user and revoke their tokens."""
    with _work("staff deactivate") as uow:
        staff = staff_admin.deactivate_staff(uow.session, _tokens(), uow.clock, SYSTEM,
                                             staff_admin.find_staff(uow.session, username), reason)
    click.echo(f"deactivated staff {staff.username}; their tokens are revoked")


@staff_cli.command("reactivate")
@click.argument("username")
@_one_line_errors
def reactivate_staff(username):
    """Reactivate a deactivated staff user (and clear a lockout)."""
    with _work("staff reactivate") as uow:
        staff = staff_admin.reactivate_staff(uow.session, uow.clock, SYSTEM,
                                             staff_admin.find_staff(uow.session, username))
    click.echo(f"reactivated staff {staff.username}")


@staff_cli.command("reset-password")
@click.argument("username")
@click.option("--generate", is_flag=True, help="生成随机密码并显示一次")
@click.option("--password", default=None, help="新密码 (不给且不用 --generate 时提示输入)")
@_one_line_errors
def reset_password(username, generate, password):
    """Set a new password for a staff user; logs them out everywhere."""
    if generate:
        password = generate_password()
    elif password is None:
        password = click.prompt("新密码", hide_input=True, confirmation_prompt=True)
    with _work("staff reset-password") as uow:
        staff = staff_admin.reset_staff_password(uow.session, _tokens(), uow.clock, SYSTEM,
                                                 staff_admin.find_staff(uow.session, username), password,
                                                 scrypt_n=uow.config["PASSWORD_SCRYPT_N"])
    click.echo(f"password of {staff.username} reset; their tokens are revoked")
    if generate:
        click.echo(f"new password (shown once): {password}")


@staff_cli.command("wecom")
@click.argument("username")
@click.argument("wecom_userid", required=False)
@click.option("--unbind", is_flag=True, help="解除绑定 (工作通知只进站内信箱)")
@_one_line_errors
def bind_wecom(username, wecom_userid, unbind):
    """Bind a staff user's 企业微信 member id (staff notices are sent there)."""
    if unbind == (wecom_userid is not None):
        raise click.UsageError("give a WECOM_USERID or --unbind")
    with _work("staff wecom") as uow:
        staff = staff_directory.set_wecom_userid(uow.session, uow.clock, SYSTEM,
                                                 staff_admin.find_staff(uow.session, username), wecom_userid)
    click.echo(f"staff {staff.username}: wecom {staff.wecom_userid or '(unbound)'}")


@kiosk_cli.command("register")
@click.argument("device_code")
@click.option("--name", required=True)
@click.option("--hall", "hall_id", type=int, required=True)
@_one_line_errors
def register_kiosk(device_code, name, hall_id):
    """Register a kiosk device; prints its secret once."""
    with _work("kiosk register") as uow:
        ensure_scope_exists(uow.session, None, hall_id)
        device, secret = services.register_kiosk(uow.session, uow.clock, device_code, name, hall_id)
    # Printed only once committed: a secret for a device that was not stored is no use.
    click.echo(f"registered kiosk {device.device_code} (id {device.id}) for hall {hall_id}")
    click.echo(f"secret (shown once, store it on the device): {secret}")


def _set_device_active(device_code: str, kind: str, active: bool):
    """Deactivating revokes the device's tokens (a board's stream tokens stop at its next connect)."""
    with _work(f"{kind} {'reactivate' if active else 'deactivate'}") as uow:
        return staff_admin.set_kiosk_active(uow.session, _tokens(), uow.clock, SYSTEM,
                                            staff_admin.find_kiosk(uow.session, device_code, kind), active)


@kiosk_cli.command("deactivate")
@click.argument("device_code")
@_one_line_errors
def deactivate_kiosk(device_code):
    """Deactivate a kiosk device and revoke its tokens."""
    device = _set_device_active(device_code, "kiosk", False)
    click.echo(f"deactivated kiosk {device.device_code}; its tokens are revoked")


@kiosk_cli.command("reactivate")
@click.argument("device_code")
@_one_line_errors
def reactivate_kiosk(device_code):
    """Reactivate a kiosk device."""
    device = _set_device_active(device_code, "kiosk", True)
    click.echo(f"reactivated kiosk {device.device_code}")


board_cli = AppGroup("board", help="大厅显示屏设备（叫号大屏）")


@board_cli.command("register")
@click.argument("device_code")
@click.option("--name", required=True)
@click.option("--hall", "hall_id", type=int, required=True)
@_one_line_errors
def register_board(device_code, name, hall_id):
    """Register a hall display board; prints its secret once."""
    with _work("board register") as uow:
        ensure_scope_exists(uow.session, None, hall_id)
        device, secret = services.register_kiosk(uow.session, uow.clock, device_code, name, hall_id, kind="board")
    click.echo(f"registered board {device.device_code} (id {device.id}) for hall {hall_id}")
    click.echo(f"secret (shown once, enter it on the board's page): {secret}")
    click.echo(f"page: /screens/board/{hall_id}#device={device.device_code}&secret={secret}")


@board_cli.command("deactivate")
@click.argument("device_code")
@_one_line_errors
def deactivate_board(device_code):
    """Deactivate a board: its stream tokens stop working and open streams end within SCREENS_STREAM_MAX_SECONDS."""
    device = _set_device_active(device_code, "board", False)
    click.echo(f"deactivated board {device.device_code}")


@board_cli.command("reactivate")
@click.argument("device_code")
@_one_line_errors
def reactivate_board(device_code):
    """Reactivate a board device."""
    device = _set_device_active(device_code, "board", True)
    click.echo(f"reactivated board {device.device_code}")
