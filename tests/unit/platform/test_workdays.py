from datetime import date

from mobile_api import workdays


def test_spring_festival_2026_is_not_working_and_named():
    info = workdays.day_info(date(2026, 2, 17))
    assert info.working is False
    assert info.confirmed is True
    assert info.holiday_name == "春节"


def test_make_up_saturday_is_a_working_day():
    saturday = date(2026, 2, 14)
    assert saturday.weekday() == 5
    assert workdays.is_working_day(saturday) is True


def test_ordinary_weekend_is_not_working():
    assert workdays.is_working_day(date(2026, 11, 28)) is False


def test_beyond_the_library_falls_back_to_weekdays_and_says_so():
    year = workdays.LAST_KNOWN_YEAR + 1
    monday = date(year, 3, 1)
    while monday.weekday() != 0:
        monday = monday.replace(day=monday.day + 1)
    info = workdays.day_info(monday)
    assert info.working is True and info.confirmed is False
    assert workdays.is_confirmed(monday) is False
    assert workdays.add_working_days(monday, 5) > monday  # never raises


def test_add_working_days_skips_the_spring_festival_holiday():
    # Friday 13 Feb 2026 + 1 working day = the make-up Saturday 14 Feb;
    # + 2 = Tuesday 24 Feb, after the holiday (15–23 Feb).
    assert workdays.add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 14)
    assert workdays.add_working_days(date(2026, 2, 13), 2) == date(2026, 2, 24)
    assert workdays.add_working_days(date(2026, 2, 13), 0) == date(2026, 2, 13)


def test_working_days_between_is_the_inverse_of_adding():
    start = date(2026, 1, 5)
    for n in (0, 1, 7, 30):
        assert workdays.working_days_between(start, workdays.add_working_days(start, n)) == n
    assert workdays.working_days_between(date(2026, 2, 24), date(2026, 2, 13)) == -2


def test_hall_overrides_win_over_the_national_calendar():
    closed = {date(2026, 11, 26): False}
    opened = {date(2026, 11, 28): True}
    assert workdays.is_working_day(date(2026, 11, 26), closed) is False
    assert workdays.day_info(date(2026, 11, 28), opened).overridden is True
    assert workdays.next_working_days(date(2026, 11, 26), 2, closed) == [date(2026, 11, 27), date(2026, 11, 30)]
