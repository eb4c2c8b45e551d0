from sqlalchemy import select

from booking.services import halls
from guides.models import Department
from identity.models import KioskDevice, StaffUser


def _hall_and_department(session, clock):
    if session.get(Department, "gongan") is None:
        session.add(Department(code="gongan", number=1, name="公安局", short_name="公安"))
    hall = halls.create_hall(session, clock, code="CLI-HALL", name="命令行测试大厅", level="city", address="测试路 1 号",
                             lat=23.02, lng=113.75, opening_hours={"0": ["08:30", "17:30"]})
    session.commit()
    return hall


def test_flask_cli_creates_staff_and_registers_kiosks(app, session, clock):
    hall = _hall_and_department(session, clock)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["staff", "create", "li.clerk", "--role", "clerk", "--name", "李窗口",
                                 "--department", "gongan", "--hall", str(hall.id), "--password", "a-long-password"])
    assert result.exit_code == 0, result.output
    staff = session.scalar(select(StaffUser).where(StaffUser.username == "li.clerk"))
    assert staff.role == "clerk" and staff.password_hash.startswith("scrypt$")

    result = runner.invoke(args=["kiosk", "register", "KIOSK-01", "--name", "一楼自助机", "--hall", str(hall.id)])
    assert result.exit_code == 0, result.output
    secret = result.output.strip().splitlines()[-1].split(": ")[-1]
    device = session.scalar(select(KioskDevice).where(KioskDevice.device_code == "KIOSK-01"))
    assert device is not None and secret not in device.secret_hash and len(secret) >= 40
