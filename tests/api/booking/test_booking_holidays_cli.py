"""`flask booking holidays load FILE`: an operator loads the State Council's
notice for a year past the holiday library (issue 16, defect 7)."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import func, select

from booking.models import DeclaredDay
from booking.services import cache
from mobile_api.clock import LOCAL_TZ
from mobile_api.outbox import OutboxMessage
from tests.api.booking.booking_builders import build_hall

API = "/api/v1/booking"
NOTICE = """# 国务院办公厅关于2027年部分节假日安排的通知
source: 国办发明电〔2026〕99号（测试）
2027-01-01..2027-01-03  holiday  元旦
2027-02-04..2027-02-05  holiday  春节
2027-02-06              working  春节调休
"""


@pytest.fixture
def setup(session, clock):
    clock.set(datetime(2027, 2, 1, 9, 0, tzinfo=LOCAL_TZ))  # Monday; the notice is not loaded yet
    return build_hall(session, clock)


def book(client, make, setup, day: str, citizen=None):
    citizen = citizen or make.citizen()
    return client.post(f"{API}/appointments", headers=make.headers(citizen),
                       json={"hall_id": setup.hall.id, "item": setup.general_item, "date": day, "time": "10:00"})


def test_loading_a_notice_closes_its_holidays_and_cancels_what_was_booked_on_them(
        app, client, make, session, setup, tmp_path):
    early_citizen = make.citizen()
    early = book(client, make, setup, "2027-02-04", early_citizen)  # an ordinary Thursday until the notice
    assert early.status_code == 201, early.json
    assert book(client, make, setup, "2027-02-06").json["code"] == "booking.hall_closed"  # a Saturday
    notice = tmp_path / "2027.txt"
    notice.write_text(NOTICE, encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["booking", "holidays", "load", str(notice)])
    assert result.exit_code == 0, result.output
    assert "5 holidays, 1 make-up working days, 1 booked appointments" in result.output
    cache.clear_all()  # as another process after the cache bound

    refused = book(client, make, setup, "2027-02-05")
    assert refused.status_code == 422 and "春节" in refused.json["detail"]
    assert book(client, make, setup, "2027-02-06").status_code == 201  # the make-up Saturday
    slots = client.get(f"{API}/halls/{setup.hall.id}/slots",
                       query_string={"item": setup.general_item, "date": "2027-02-08"})
    assert slots.json["calendar_confirmed"] is True
    notices = session.scalars(select(OutboxMessage).where(
        OutboxMessage.dedupe_key.like(f"booking:{early.json['id']}:%:cancelled"))).all()
    assert len(notices) == 1 and "春节" in notices[0].payload["data"]["tip"]
    mine = client.get(f"{API}/appointments/{early.json['id']}", headers=make.headers(early_citizen))
    assert mine.json["status"] == "cancelled"

    listed = app.test_cli_runner().invoke(args=["booking", "holidays", "list", "--year", "2027"])
    assert "2027-02-06  working  春节调休" in listed.output

    # loading again replaces the year: nothing doubles
    again = app.test_cli_runner().invoke(args=["booking", "holidays", "load", str(notice)])
    assert again.exit_code == 0 and "0 booked appointments" in again.output
    assert session.scalar(select(func.count()).select_from(DeclaredDay)) == 6


@pytest.mark.parametrize("text, message", [
    ("2027-02-04 holiday 春节\n", "通知文号"),
    ("source: x\n2027-02-30 holiday 春节\n", "日期不正确"),
    ("source: x\n2027-02-04 off 春节\n", "类型应为"),
    ("source: x\n2027-12-31 holiday 元旦\n2028-01-01 holiday 元旦\n", "一年"),
    ("source: x\n2026-10-01 holiday 国庆节\n", "日历库"),
    ("source: x\n2027-02-04 holiday 春节\n2027-02-04 working 调休\n", "冲突"),
    ("source: x\n2027-02-04\n", "格式不对"),
])
def test_a_bad_notice_file_is_refused_with_one_line_and_changes_nothing(app, session, setup, tmp_path, text, message):
    notice = tmp_path / "bad.txt"
    notice.write_text(text, encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["booking", "holidays", "load", str(notice)])
    assert result.exit_code != 0
    assert message in result.output and "Traceback" not in result.output
    assert session.scalar(select(func.count()).select_from(DeclaredDay)) == 0


def test_an_unreadable_file_is_one_error_line(app, tmp_path):
    result = app.test_cli_runner().invoke(args=["booking", "holidays", "load", str(tmp_path / "missing.txt")])
    assert result.exit_code != 0 and "读不了" in result.output
