"""Pure pieces of feedback: deadlines in working days, duplicate hashing,
image sniffing, statistics periods, settings parsing."""

from __future__ import annotations

import io
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from feedback.services.cases import content_hash
from feedback.deadlines import due_after_working_days, extend_due
from feedback.errors import InvalidRating
from feedback.services.stats import period_bounds
from feedback.rules import Rules
from feedback.storage import ContentStore, sniff_image

SH = ZoneInfo("Asia/Shanghai")


def test_deadline_skips_the_national_day_holiday_and_counts_make_up_days():
    # Submitted Wed 30 Sep 2026: 1–7 Oct are holidays, so 1 working day ends on Thu 8 Oct.
    start = datetime(2026, 9, 30, 10, 0, tzinfo=SH)
    assert due_after_working_days(start, 1) == datetime(2026, 10, 9, 0, 0, tzinfo=SH).astimezone(timezone.utc)


def test_deadline_from_a_weekend_and_late_evening():
    saturday_night = datetime(2026, 11, 28, 23, 30, tzinfo=SH)  # 15:30 UTC the same day
    assert due_after_working_days(saturday_night, 1) == datetime(2026, 12, 1, 0, 0, tzinfo=SH)
    # Friday 23:59 local is still Friday: 1 working day is Monday.
    assert due_after_working_days(datetime(2026, 11, 27, 15, 59, tzinfo=timezone.utc), 1) == \
        datetime(2026, 12, 1, 0, 0, tzinfo=SH)


def test_extension_counts_from_the_last_day_of_the_old_deadline():
    old = datetime(2026, 12, 4, 0, 0, tzinfo=SH)  # end of Thu 3 Dec
    assert extend_due(old, 3) == datetime(2026, 12, 9, 0, 0, tzinfo=SH)


def test_same_content_hash_ignores_whitespace_but_not_meaning():
    a = content_hash("complaint", "conduct.attitude", None, None, "路灯  坏了\n")
    assert a == content_hash("complaint", "conduct.attitude", None, None, "路灯 坏了")
    assert a != content_hash("complaint", "conduct.efficiency", None, None, "路灯 坏了")
    assert a != content_hash("suggestion", "conduct.attitude", None, None, "路灯 坏了")
    assert a != content_hash("complaint", "conduct.attitude", "hall", "3", "路灯 坏了")


def _image(fmt):
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, format=fmt)
    return buffer.getvalue()


def test_sniff_image_by_content():
    assert sniff_image(_image("PNG")) == "image/png"
    assert sniff_image(_image("JPEG")) == "image/jpeg"
    assert sniff_image(_image("GIF")) is None
    assert sniff_image(b"\xff\xd8\xff" + b"garbage" * 10) is None
    assert sniff_image(b"") is None


def test_content_store_is_content_addressed(tmp_path):
    store = ContentStore(tmp_path)
    digest = store.put(b"abc")
    assert store.put(b"abc") == digest and store.read(digest) == b"abc"
    store.delete(digest)
    assert store.read(digest) is None
    with pytest.raises(ValueError):
        store.read("../../etc/passwd")


def test_period_bounds_are_shanghai_calendar_periods():
    label, start, end = period_bounds("month", 2026, month=12)
    assert label == "2026-12"
    assert start == datetime(2026, 11, 30, 16, 0, tzinfo=timezone.utc)
    assert end == datetime(2026, 12, 31, 16, 0, tzinfo=timezone.utc)
    label, start, end = period_bounds("quarter", 2026, quarter=4)
    assert (label, start.month, end.year) == ("2026-Q4", 9, 2026) and end.month == 12
    assert period_bounds("year", 2026)[0] == "2026"
    with pytest.raises(InvalidRating):
        period_bounds("month", 2026)
    with pytest.raises(InvalidRating):
        period_bounds("quarter", 2026, quarter=0)


def test_rules_read_the_settings_with_the_issue_defaults():
    defaults = Rules.from_config({})
    assert defaults.reply_days == {"consultation": 1, "help": 1, "complaint": 5, "suggestion": 5, "report": 5}
    assert (defaults.rating_period_days, defaults.callback_days, defaults.rectification_days) == (7, 1, 5)
    assert defaults.default_rating_enabled is False
    assert Rules.from_config({"FEEDBACK_REPLY_DAYS_COMPLAINT": 3}).reply_days["complaint"] == 3
