from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from mobile_api.jobs.periods import period_key, period_start
from mobile_api.jobs.schedule import CADENCES, cadence_of

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_periods_line_up_with_the_citys_clock():
    at = datetime(2026, 11, 26, 9, 7, 30, tzinfo=SHANGHAI)
    assert period_key(at, timedelta(hours=1)) == "2026-11-26T09:00:00+08:00"
    assert period_key(at, timedelta(minutes=5)) == "2026-11-26T09:05:00+08:00"
    assert period_key(at, timedelta(days=1)) == "2026-11-26T00:00:00+08:00"
    # the same moment written in UTC falls in the same period
    assert period_key(at.astimezone(timezone.utc), timedelta(minutes=30)) == "2026-11-26T09:00:00+08:00"


def test_a_period_ends_where_the_next_begins():
    every = timedelta(minutes=10)
    start = period_start(datetime(2026, 11, 26, 9, 10, tzinfo=SHANGHAI), every)
    assert period_key(start - timedelta(microseconds=1), every) != period_key(start, every)
    assert period_key(start + every - timedelta(microseconds=1), every) == period_key(start, every)


def test_naive_times_are_refused():
    with pytest.raises(ValueError):
        period_key(datetime(2026, 11, 26, 9, 0), timedelta(minutes=5))


def test_every_rule_has_a_cadence_and_an_unknown_rule_none():
    assert set(CADENCES) >= {"platform.outbox_delivery", "booking.mark_no_shows", "submissions.supervision",
                             "feedback.sweep", "identity.face_purge"}
    with pytest.raises(ValueError, match="schedule.py"):
        cadence_of("nobody.knows")
