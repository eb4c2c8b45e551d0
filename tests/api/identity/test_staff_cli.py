"""`flask staff …` / `flask kiosk …`: one-line refusals that change nothing,
and the lifecycle commands."""

import pytest
from sqlalchemy import func, select

from booking.services import halls
from guides.models import Department
from identity.models import KioskDevice, StaffUser
from tests.factories import DEFAULT_PASSWORD


@pytest.fixture
def hall(session, clock):
    if session.get(Department, "gongan") is None:
        session.add(Department(code="gongan", number=1, name="公安局", short_name="公安"))
    created = halls.create_hall(session, clock, code="CLI-HALL", name="命令行测试大厅", level="city",
                                address="测试路 1 号", lat=23.02, lng=113.75,
                                opening_hours={"0": ["08:30", "17:30"]})
    session.commit()
    return created


def _staff_count(session):
    count = session.scalar(select(func.count()).select_from(StaffUser))
    session.commit()
    return count


def _one_line_refusal(result, fragment):
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and fragment in lines[0], result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("extra, fragment", [
    (["--department", "nosuchdept", "--hall", "1"], "部门 nosuchdept 不存在"),
    (["--department", "gongan", "--hall", "999999"], "服务大厅 999999 不存在"),
    (["--department", "gongan", "--password", "short"], "至少 10 个字符"),
    (["--department", "gongan", "--password", "1234567890"], "两类"),
    (["--department", "gongan", "--password", "xx-wang.clerk-xx"], "用户名"),
])
def test_staff_create_refuses_bad_input_in_one_line(app, session, hall, extra, fragment):
    before = _staff_count(session)
    args = ["staff", "create", "wang.clerk", "--role", "clerk", "--name", "王窗口"] + extra
    if "--password" not in extra:
        args += ["--password", "a-long-password"]
    _one_line_refusal(app.test_cli_runner().invoke(args=args), fragment)
    assert _staff_count(session) == before


def test_duplicate_staff_and_kiosk_names_are_refused_in_one_line(app, session, hall, make):
    existing = make.staff()
    runner = app.test_cli_runner()
    _one_line_refusal(runner.invoke(args=["staff", "create", existing.username, "--role", "clerk", "--name", "重名",
                                          "--department", "gongan", "--password", "a-long-password"]), "已存在")
    device, _ = make.kiosk(hall_id=hall.id)
    _one_line_refusal(runner.invoke(args=["kiosk", "register", device.device_code, "--name", "重复",
                                          "--hall", str(hall.id)]), "已存在")
    _one_line_refusal(runner.invoke(args=["kiosk", "register", "NEW-1", "--name", "无厅", "--hall", "424242"]),
                      "服务大厅 424242 不存在")


def test_deactivate_reactivate_and_reset_password_from_the_command_line(app, client, session, make, clock):
    staff = make.staff()
    runner = app.test_cli_runner()
    old = client.post("/api/v1/auth/staff/login", json={"username": staff.username, "password": DEFAULT_PASSWORD})
    headers = {"Authorization": f"Bearer {old.json['access_token']}"}

    result = runner.invoke(args=["staff", "deactivate", staff.username, "--reason", "离职"])
    assert result.exit_code == 0, result.output
    assert client.get("/api/v1/auth/whoami", headers=headers).json["code"] == "auth.token_revoked"
    _one_line_refusal(runner.invoke(args=["staff", "deactivate", staff.username]), "已停用")
    _one_line_refusal(runner.invoke(args=["staff", "deactivate", "nobody"]), "不存在")

    clock.advance(seconds=1)
    assert runner.invoke(args=["staff", "reactivate", staff.username]).exit_code == 0
    _one_line_refusal(runner.invoke(args=["staff", "reset-password", staff.username, "--password", "weak"]),
                      "至少 10 个字符")
    result = runner.invoke(args=["staff", "reset-password", staff.username, "--generate"])
    assert result.exit_code == 0, result.output
    new_password = result.output.strip().splitlines()[-1].split(": ")[-1]
    clock.advance(seconds=1)
    login = client.post("/api/v1/auth/staff/login", json={"username": staff.username, "password": new_password})
    assert login.status_code == 200


def test_kiosk_deactivate_and_reactivate(app, client, session, make):
    device, secret = make.kiosk()
    runner = app.test_cli_runner()
    assert runner.invoke(args=["kiosk", "deactivate", device.device_code]).exit_code == 0
    refused = client.post("/api/v1/auth/kiosk/token", json={"device_code": device.device_code, "secret": secret})
    assert refused.status_code == 401
    assert runner.invoke(args=["kiosk", "reactivate", device.device_code]).exit_code == 0
    _one_line_refusal(runner.invoke(args=["kiosk", "reactivate", device.device_code]), "已启用")
    device = session.scalar(select(KioskDevice).where(KioskDevice.device_code == device.device_code))
    assert device.active
