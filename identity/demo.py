"""Demo accounts for `make run`: a clerk, a platform admin, an approver and a
department admin for every department of the catalogue, and a kiosk, with
random passwords and secrets written to instance/demo-credentials.json (one
file per database: another database's accounts go to
demo-credentials-<database>.json). Never in production."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from sqlalchemy import inspect, select, text
from sqlalchemy.orm import Session

from config import INSTANCE_DIR

from . import services
from .passwords import generate_password
from .models import StaffUser

log = logging.getLogger("identity.demo")

CREDENTIALS_FILE = INSTANCE_DIR / "demo-credentials.json"
DEFAULT_DATABASE = "fingertip"  # the embedded default's (mobile_api.embedded)

_DEMO_STAFF = [
    # username, role, display name, department
    ("demo.clerk", "clerk", "综合窗口 陈晓", None),
    ("demo.approver", "approver", "人社局审批 林峰", "renshe"),
    ("demo.dept-admin", "admin", "人社局管理员 黄敏", "renshe"),
    ("demo.admin", "admin", "平台管理员 周强", None),
]


def _first_hall_id(session: Session) -> int:
    if "booking_halls" in inspect(session.connection()).get_table_names():
        hall_id = session.execute(text("SELECT MIN(id) FROM booking_halls WHERE level = 'city'")).scalar()
        if hall_id is not None:
            return int(hall_id)
    return 1


def credentials_file(database_url: str) -> Path:
    """The credentials of one database's demo accounts."""
    from sqlalchemy.engine import make_url

    name = make_url(database_url).database or DEFAULT_DATABASE
    return CREDENTIALS_FILE if name == DEFAULT_DATABASE else INSTANCE_DIR / f"demo-credentials-{name}.json"


def _departments(session: Session) -> list[tuple[str, str]]:
    if "guide_departments" not in inspect(session.connection()).get_table_names():
        return []
    rows = session.execute(text("SELECT code, COALESCE(short_name, name) FROM guide_departments ORDER BY code"))
    return [(code, short) for code, short in rows]


def demo_staff(session: Session) -> list[tuple[str, str, str, str | None]]:
    """The fixed four, then an approver and an admin for every department."""
    people = list(_DEMO_STAFF)
    for code, short in _departments(session):
        people.append((f"demo.{code}.approver", "approver", f"{short}审批（演示）", code))
        people.append((f"demo.{code}.admin", "admin", f"{short}管理员（演示）", code))
    return people


def seed_demo_accounts(session: Session, clock, app, path: Path | None = None) -> str:
    if app.config["APP_CONFIG"].ENV_NAME == "production" or not app.config.get("DEV_SEED_DEMO_ACCOUNTS"):
        return "skipped (not a development run)"
    path = path or credentials_file(app.config["DATABASE_URL"])
    if session.scalar(select(StaffUser.id).where(StaffUser.username == "demo.admin")) is not None:
        return f"present (credentials in {path})"
    hall_id = _first_hall_id(session)
    credentials = {"note": "开发环境演示账号，每次新建数据库时随机生成；切勿用于生产。", "staff": [], "kiosk": None}
    people = demo_staff(session)
    for username, role, name, department in people:
        password = generate_password()
        services.create_staff(session, clock, username, password, role, name, department,
                              hall_id if role == "clerk" else None, scrypt_n=app.config["PASSWORD_SCRYPT_N"])
        credentials["staff"].append({"username": username, "password": password, "role": role,
                                     "department_code": department, "hall_id": hall_id if role == "clerk" else None})
    device, secret = services.register_kiosk(session, clock, "DEMO-KIOSK-1", "演示自助终端", hall_id)
    credentials["kiosk"] = {"device_code": device.device_code, "secret": secret, "hall_id": hall_id}
    board, board_secret = services.register_kiosk(session, clock, "DEMO-BOARD-1", "演示叫号大屏", hall_id,
                                                  kind="board")
    credentials["board"] = {"device_code": board.device_code, "secret": board_secret, "hall_id": hall_id,
                            "page": f"/screens/board/{hall_id}#device={board.device_code}&secret={board_secret}"}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(credentials, ensure_ascii=False, indent=2))
    path.chmod(0o600)
    log.warning("demo accounts created; credentials written to %s", path)
    return f"created {len(people)} staff, 1 kiosk and 1 board; credentials in {path}"
