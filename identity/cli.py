"""`flask staff create` and `flask kiosk register`."""

import click
from flask import current_app
from flask.cli import AppGroup

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
    db = current_app.extensions["db"]
    with db.new_session() as session:
        staff = services.create_staff(session, current_app.extensions["clock"], username, password, role,
                                      display_name, department_code, hall_id,
                                      scrypt_n=current_app.config["PASSWORD_SCRYPT_N"])
        click.echo(f"created staff {staff.username} (id {staff.id}, role {staff.role})")


@kiosk_cli.command("register")
@click.argument("device_code")
@click.option("--name", required=True)
@click.option("--hall", "hall_id", type=int, required=True)
def register_kiosk(device_code, name, hall_id):
    """Register a kiosk device; prints its secret once."""
    db = current_app.extensions["db"]
    with db.new_session() as session:
        device, secret = services.register_kiosk(session, current_app.extensions["clock"], device_code, name, hall_id)
        click.echo(f"registered kiosk {device.device_code} (id {device.id}) for hall {hall_id}")
        click.echo(f"secret (shown once, store it on the device): {secret}")
