"""Pure rules of 网上申办: form checks, working-day deadlines, file sniffing,
the state graph."""

from __future__ import annotations

import io
from datetime import date, datetime
from types import SimpleNamespace

import pytest
from PIL import Image

from mobile_api.clock import LOCAL_TZ
from submissions import deadlines
from submissions.errors import FileRejected, FileTooLarge
from submissions.forms import check_form, id_number_valid
from submissions.services.themes import overall_status
from submissions.services.workflow import STEPS, allowed_actions
from submissions.storage import LocalContentStore

FIELDS = [
    {"name": "name", "label": "姓名", "type": "text", "required": True, "validation": {"min_length": 2, "max_length": 4}},
    {"name": "age", "label": "年龄", "type": "number", "required": False, "validation": {"min": 0, "max": 150}},
    {"name": "born", "label": "出生日期", "type": "date", "required": False},
    {"name": "kind", "label": "类别", "type": "select", "required": True, "options": ["甲", "乙"]},
    {"name": "agree", "label": "同意", "type": "boolean", "required": False},
    {"name": "phone", "label": "电话", "type": "phone", "required": False},
    {"name": "code", "label": "编号", "type": "text", "required": False, "validation": {"pattern": "^[A-Z]{2}\\d{4}$"}},
]


def test_form_checks_each_type():
    assert check_form(FIELDS, {"name": "张三", "kind": "甲"}, complete=True) == {}
    errors = check_form(FIELDS, {"name": "张", "age": "12", "born": "2026/01/01", "kind": "丙", "agree": "yes",
                                 "phone": "1234", "code": "ab12", "extra": 1}, complete=True)
    assert set(errors) == {"name", "age", "born", "kind", "agree", "phone", "code", "extra"}
    assert check_form(FIELDS, {"age": True}, complete=False) == {"age": ["年龄应为数字"]}
    assert check_form(FIELDS, {"age": 151}, complete=False) == {"age": ["年龄不能大于 150"]}
    assert set(check_form(FIELDS, {}, complete=True)) == {"name", "kind"}
    assert check_form(FIELDS, {}, complete=False) == {}


def test_id_number_check_digit_and_birth_date():
    assert id_number_valid("11010519491231002X")
    assert not id_number_valid("110105194912310021")
    assert not id_number_valid("11010519491331002X")  # no 13th month


def at(*args):
    return datetime(*args, tzinfo=LOCAL_TZ)


def test_due_dates_skip_spring_festival_and_count_make_up_saturdays():
    due = deadlines.due_dates(date(2026, 2, 9), promised_days=10, statutory_days=15, paused_working_days=0,
                              warning_ratio=0.8)
    assert due.promised_due_date == date(2026, 2, 28)  # Saturday 28 Feb is a make-up working day
    assert due.warning_date == date(2026, 2, 26)
    assert due.statutory_due_date == date(2026, 3, 6)


def test_pause_shifts_every_due_date_by_the_working_days_waited():
    start = deadlines.start_values(at(2026, 2, 9, 10), 10, 15, 0.8)
    application = SimpleNamespace(promised_days=10, statutory_days=15, completed_at=None, **start)
    application.paused_since = at(2026, 2, 12, 15)
    values = deadlines.resume_values(application, at(2026, 2, 25, 11), 0.8)
    assert values["paused_working_days"] == 4
    assert values["promised_due_date"] == date(2026, 3, 5)


def test_flags():
    start = deadlines.start_values(at(2026, 11, 26, 9), 10, 15, 0.8)
    application = SimpleNamespace(promised_days=10, statutory_days=15, completed_at=None, **start)
    assert deadlines.deadline_view(application, at(2026, 12, 7, 9)).flag == "normal"
    assert deadlines.deadline_view(application, at(2026, 12, 8, 9)).flag == "warning"  # 8 of 10 used
    assert deadlines.deadline_view(application, at(2026, 12, 10, 17)).flag == "warning"
    view = deadlines.deadline_view(application, at(2026, 12, 11, 9))
    assert view.flag == "overdue" and not view.statutory_overdue
    assert deadlines.deadline_view(application, at(2026, 12, 18, 9)).statutory_overdue


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, "PNG")
    return out.getvalue()


def test_store_recognises_content_and_streams(tmp_path):
    store = LocalContentStore(tmp_path)
    blob = store.put_stream(io.BytesIO(_png()), 10_000, 7)  # tiny chunks: the copy loop must handle many
    assert blob.content_type == "image/png" and store.path_for(blob.sha256).read_bytes() == _png()
    pdf = b"%PDF-1.7\n" + b"0" * 5000 + b"\n%%EOF\r\n"
    assert store.put_stream(io.BytesIO(pdf), 10_000, 1024).content_type == "application/pdf"
    for bad in (b"%PDF-1.7 no trailer", b"GIF89a......", _png()[:20]):
        with pytest.raises(FileRejected):
            store.put_stream(io.BytesIO(bad), 10_000, 1024)
    with pytest.raises(FileTooLarge):
        store.put_stream(io.BytesIO(pdf), 4096, 1024)
    with pytest.raises(FileRejected):
        store.put_stream(io.BytesIO(b""), 4096, 1024)
    assert not any((tmp_path / ".incoming").iterdir())


def test_graph_and_overall_status():
    assert STEPS["accept"].sources == ("submitted",) and STEPS["deliver"].sources == ("completed",)
    supplement = SimpleNamespace(status="supplement_requested", accepted_at=None)
    assert allowed_actions(supplement) == ["submit", "withdraw"]
    supplement.accepted_at = at(2026, 11, 26, 9)
    assert allowed_actions(supplement) == ["submit"]
    assert overall_status(["draft", "draft"], [None, None]) == "draft"
    assert overall_status(["completed", "under_review"], ["approved", None]) == "in_progress"
    assert overall_status(["delivered", "completed"], ["approved", "approved"]) == "completed"
    assert overall_status(["completed", "refused"], ["approved", None]) == "closed_with_refusals"
