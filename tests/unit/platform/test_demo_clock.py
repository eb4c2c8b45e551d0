"""The development demo clock: an offset in a file that every process reads."""

import json
from datetime import datetime, timedelta, timezone

import click
import pytest

from mobile_api.clock import LOCAL_TZ, DemoClock
from mobile_api.demo import parse_moment

NOW = datetime(2026, 12, 4, 22, 30, tzinfo=LOCAL_TZ)  # a Friday night


def test_without_a_file_it_is_the_real_time(tmp_path):
    clock = DemoClock(tmp_path / "demo-clock.json")
    assert abs(clock.now() - datetime.now(timezone.utc)) < timedelta(seconds=5)


def test_a_written_offset_moves_it_and_a_broken_file_does_not(tmp_path):
    path = tmp_path / "demo-clock.json"
    clock = DemoClock(path)
    clock.RECHECK_SECONDS = 0
    path.write_text(json.dumps({"offset_seconds": 3 * 3600}))
    assert abs(clock.now() - datetime.now(timezone.utc) - timedelta(hours=3)) < timedelta(seconds=5)
    path.write_text("{not json")
    import os

    os.utime(path, (1, 1))  # a new mtime, so the file is read again
    assert abs(clock.now() - datetime.now(timezone.utc)) < timedelta(seconds=5)
    path.unlink()
    assert abs(clock.now() - datetime.now(timezone.utc)) < timedelta(seconds=5)


def test_the_test_offset_adds_to_it(tmp_path):
    clock = DemoClock(tmp_path / "none.json", base_offset_seconds=86400)
    assert abs(clock.now() - datetime.now(timezone.utc) - timedelta(days=1)) < timedelta(seconds=5)


@pytest.mark.parametrize("text, expected", [
    ("today 23:00", datetime(2026, 12, 4, 23, 0, tzinfo=LOCAL_TZ)),
    ("tomorrow 09:15", datetime(2026, 12, 5, 9, 15, tzinfo=LOCAL_TZ)),
    ("next-working-day 09:15", datetime(2026, 12, 7, 9, 15, tzinfo=LOCAL_TZ)),  # over the weekend
    ("2026-12-09 14:30", datetime(2026, 12, 9, 14, 30, tzinfo=LOCAL_TZ)),
])
def test_moments_are_read_in_local_time(text, expected):
    assert parse_moment(text, NOW) == expected


@pytest.mark.parametrize("text", ["tomorrow", "someday 09:00", "tomorrow 25:99", "2026-13-01 09:00"])
def test_unreadable_moments_are_refused(text):
    with pytest.raises(click.BadParameter):
        parse_moment(text, NOW)
