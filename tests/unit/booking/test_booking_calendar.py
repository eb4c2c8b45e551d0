"""The hall calendar: national holidays, make-up working days, weekend hours,
overrides, dates past the official calendar, and the slot grid."""

from __future__ import annotations

from datetime import date, datetime

from booking.calendar import distance_meters, hall_day, last_bookable_day, slot_starts
from mobile_api.clock import LOCAL_TZ
from mobile_api.workdays import LAST_KNOWN_YEAR, DeclaredDays

WEEKDAYS = {str(d): ["08:30", "17:30"] for d in range(5)}
WITH_SATURDAY = dict(WEEKDAYS, **{"5": ["09:00", "12:00"]})


def test_spring_festival_is_closed_even_for_a_saturday_hall():
    for day in (date(2026, 2, 16), date(2026, 2, 17), date(2026, 2, 21)):  # Mon, Tue, Sat of 春节
        info = hall_day(WITH_SATURDAY, day)
        assert not info.open and info.confirmed
        assert info.holiday_name  # named, for the answer


def test_make_up_saturday_opens_with_weekday_hours():
    info = hall_day(WEEKDAYS, date(2026, 2, 14))  # 调休 working Saturday before 春节
    assert info.open and info.hours == ("08:30", "17:30")
    saturday_hall = hall_day(WITH_SATURDAY, date(2026, 2, 14))
    assert saturday_hall.open and saturday_hall.hours == ("09:00", "12:00")


def test_ordinary_weekends():
    assert not hall_day(WEEKDAYS, date(2026, 11, 28)).open
    assert hall_day(WITH_SATURDAY, date(2026, 11, 28)).open
    assert not hall_day(WITH_SATURDAY, date(2026, 11, 29)).open


def test_overrides_win():
    closed = hall_day(WEEKDAYS, date(2026, 11, 27), {date(2026, 11, 27): False})
    assert not closed.open and closed.overridden
    extra = hall_day(WEEKDAYS, date(2026, 11, 29), {date(2026, 11, 29): True})
    assert extra.open and extra.hours == ("08:30", "17:30")


def test_dates_past_the_official_calendar_do_not_crash_and_are_unconfirmed():
    year = LAST_KNOWN_YEAR + 5
    monday = next(date(year, 1, d) for d in range(1, 8) if date(year, 1, d).weekday() == 0)
    info = hall_day(WEEKDAYS, monday)
    assert info.open and not info.confirmed
    sunday = hall_day(WEEKDAYS, date(year, 1, 1) if date(year, 1, 1).weekday() == 6 else
                      next(date(year, 1, d) for d in range(1, 8) if date(year, 1, d).weekday() == 6))
    assert not sunday.open and not sunday.confirmed
    # the horizon may reach into the unknown year without failing
    assert last_bookable_day(date(LAST_KNOWN_YEAR, 12, 28), 7) > date(LAST_KNOWN_YEAR, 12, 31)


def test_horizon_skips_holidays():
    # from Thursday 12 Feb 2026: Fri 13, Sat 14 (调休), 春节 15–23 skipped, Tue 24 … Fri 27, Sat 28 (调休)
    assert last_bookable_day(date(2026, 2, 12), 7) == date(2026, 2, 28)


def test_slot_grid_skips_lunch():
    info = hall_day(WEEKDAYS, date(2026, 11, 27))
    slots = slot_starts(info, "12:00", "14:00", 30)
    local = [start.astimezone(LOCAL_TZ).strftime("%H:%M") for start, _ in slots]
    assert local[:2] == ["08:30", "09:00"] and local[-1] == "17:00"
    assert "11:30" in local and "12:00" not in local and "13:30" not in local and "14:00" in local
    assert len(local) == 14  # 7 in the morning, 7 in the afternoon
    assert slots[0][0] == datetime(2026, 11, 27, 8, 30, tzinfo=LOCAL_TZ)
    assert slot_starts(hall_day(WEEKDAYS, date(2026, 11, 28)), "12:00", "14:00", 30) == []
    assert len(slot_starts(info, None, None, 60)) == 9


def test_distance():
    assert 1000 < distance_meters(23.0, 113.75, 23.01, 113.75) < 1200


def test_fixed_date_holidays_past_the_library_are_closed_by_default():
    year = LAST_KNOWN_YEAR + 1
    for day, name in [(date(year, 1, 1), "元旦"), (date(year, 5, 1), "劳动节"), (date(year, 10, 1), "国庆节"),
                      (date(year, 10, 2), "国庆节"), (date(year, 10, 3), "国庆节")]:
        info = hall_day(WEEKDAYS, day)
        assert not info.open and info.holiday_name == name and not info.confirmed, day
    # the horizon does not count them as working days: 2027-04-30 is a Friday, 1 May a Saturday
    assert last_bookable_day(date(year, 9, 30), 1) == date(year, 10, 4)  # Thu 30 Sep → Mon 4 Oct
    assert hall_day(WEEKDAYS, date(year, 1, 1), {date(year, 1, 1): True}).open  # a hall may still open


def test_a_declared_notice_decides_its_year():
    year = LAST_KNOWN_YEAR + 1
    declared = DeclaredDays({date(year, 2, 4): (False, "春节"), date(year, 2, 6): (True, "春节调休"),
                             date(year, 1, 1): (False, "元旦")})
    holiday = hall_day(WEEKDAYS, date(year, 2, 4), declared=declared)
    assert not holiday.open and holiday.holiday_name == "春节" and holiday.confirmed
    make_up = hall_day(WEEKDAYS, date(year, 2, 6), declared=declared)
    assert make_up.open and make_up.confirmed and make_up.hours == ("08:30", "17:30")
    plain = hall_day(WEEKDAYS, date(year, 3, 2), declared=declared)  # named by no one: an ordinary day
    assert plain.open and plain.confirmed
    # the horizon counts the make-up day and skips the holiday
    assert last_bookable_day(date(year, 2, 3), 2, declared=declared) == date(year, 2, 6)
    # a year with no notice stays unconfirmed
    assert not hall_day(WEEKDAYS, date(year + 1, 3, 1), declared=declared).confirmed
