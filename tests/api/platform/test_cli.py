from sqlalchemy import select

from identity.models import KioskDevice, StaffUser


def test_flask_cli_creates_staff_and_registers_kiosks(app, session):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["staff", "create", "li.clerk", "--role", "clerk", "--name", "李窗口",
                                 "--department", "gongan", "--hall", "1", "--password", "a-long-password"])
    assert result.exit_code == 0, result.output
    staff = session.scalar(select(StaffUser).where(StaffUser.username == "li.clerk"))
    assert staff.role == "clerk" and staff.password_hash.startswith("scrypt$")

    result = runner.invoke(args=["kiosk", "register", "KIOSK-01", "--name", "一楼自助机", "--hall", "1"])
    assert result.exit_code == 0, result.output
    secret = result.output.strip().splitlines()[-1].split(": ")[-1]
    device = session.scalar(select(KioskDevice).where(KioskDevice.device_code == "KIOSK-01"))
    assert device is not None and secret not in device.secret_hash and len(secret) >= 40
