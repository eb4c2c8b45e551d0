"""`flask staff create` and `flask kiosk register`."""

import click
from flask import current_app
from flask.cli import AppGroup

from mobile_api.actor import SYSTEM
from mobile_api.uow import unit_of_work

from . import services

staff_cli = AppGroup("staff", help="工作人员账号")
kiosk_cli = AppGroup("kiosk", help="自助终端设备")


@staff_cli.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice(["clerk", "approver", "admin"]), required=True)
@click.option("--name", "display_name", required=True)
@click.option("--department", "department_code", default=None)
@click.option("--hall", "hall_id", type=int, default=None)
@click.password_option(help="至少 10 个字符")
def create_staff(username, role, display_name, department_code, hall_id, password):
    """Create a staff user."""
    with unit_of_work(current_app, SYSTEM, name="cli:staff create") as uow:
        staff = services.create_staff(uow.session, uow.clock, username, password, role,
                                      display_name, department_code, hall_id,
                                      scrypt_n=uow.config["PASSWORD_SCRYPT_N"])
    click.echo(f"created staff {staff.username} (id {staff.id}, role {staff.role})")


@kiosk_cli.command("register")
@click.argument("device_code")
@click.option("--name", required=True)
@click.option("--hall", "hall_id", type=int, required=True)
def register_kiosk(device_code, name, hall_id):
    """Register a kiosk device; prints its secret once."""
    with unit_of_work(current_app, SYSTEM, name="cli:kiosk register") as uow:
        device, secret = services.register_kiosk(uow.session, uow.clock, device_code, name, hall_id)
    # Printed only once committed: a secret for a device that was not stored is no use.
    click.echo(f"registered kiosk {device.device_code} (id {device.id}) for hall {hall_id}")
    click.echo(f"secret (shown once, store it on the device): {secret}")
