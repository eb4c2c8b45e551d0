"""The State Council's holiday notice for a year the holiday library does not
know yet, loaded by an operator (`flask booking holidays load FILE`).

Until a year's notice is loaded, its fixed-date holidays (元旦, 劳动节, 国庆节
1–3 Oct) are closed and other weekdays open, unconfirmed
(`mobile_api.workdays`). The notice names every holiday and make-up working
day of the year; once loaded, the year is confirmed and a day it does not name
is an ordinary day.

The file, one line per day or range (UTF-8; `#` starts a comment):

    source: 国办发明电〔2026〕12号
    2027-01-01..2027-01-03  holiday  元旦
    2027-02-06              working  春节调休
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import delete, extract, select
from sqlalchemy.orm import Session

from mobile_api import audit, uow
from mobile_api.actor import Actor
from mobile_api.workdays import LAST_KNOWN_YEAR

from ..models import Appointment, CalendarOverride, DeclaredDay, Hall
from . import cache, places

KINDS = {"holiday": False, "working": True, "休": False, "班": True}
_LINE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:\.\.(\d{4}-\d{2}-\d{2}))?\s+(\S+)\s+(\S.*)$")
MAX_RANGE_DAYS = 31


class NoticeError(ValueError):
    """A line of the notice file that cannot be loaded; nothing is written."""


@dataclass(frozen=True)
class Notice:
    year: int
    source: str
    days: dict[date, tuple[bool, str]]


def parse_notice(text: str, source: str | None = None) -> Notice:
    days: dict[date, tuple[bool, str]] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.lower().startswith("source:"):
            source = source or line.split(":", 1)[1].strip()
            continue
        match = _LINE.match(line)
        if match is None:
            raise NoticeError(f"第 {number} 行格式不对，应为“日期[..日期] holiday|working 名称”：{raw.strip()}")
        first, last, kind, name = match.groups()
        if kind not in KINDS:
            raise NoticeError(f"第 {number} 行：类型应为 holiday（放假）或 working（调休上班），不是 {kind}")
        name = name.strip()
        if len(name) > 32:
            raise NoticeError(f"第 {number} 行：名称不能超过 32 个字")
        try:
            start = date.fromisoformat(first)
            end = date.fromisoformat(last) if last else start
        except ValueError as exc:
            raise NoticeError(f"第 {number} 行：日期不正确：{raw.strip()}") from exc
        if end < start or (end - start).days >= MAX_RANGE_DAYS:
            raise NoticeError(f"第 {number} 行：日期范围不正确（至多 {MAX_RANGE_DAYS} 天）")
        day = start
        while day <= end:
            if day in days and days[day] != (KINDS[kind], name):
                raise NoticeError(f"第 {number} 行：{day.isoformat()} 与前面的行冲突")
            days[day] = (KINDS[kind], name)
            day += timedelta(days=1)
    if not days:
        raise NoticeError("文件中没有任何日期")
    years = {day.year for day in days}
    if len(years) != 1:
        raise NoticeError(f"一个文件只能是一年的通知，文件里有 {', '.join(map(str, sorted(years)))} 年")
    year = years.pop()
    if year <= LAST_KNOWN_YEAR:
        raise NoticeError(f"{year} 年的节假日已由日历库提供（至 {LAST_KNOWN_YEAR} 年），无需导入")
    if not source:
        raise NoticeError("请用 --source 或文件中的“source: …”行注明通知文号")
    return Notice(year, source[:255], days)


def load_notice(session: Session, actor: Actor, now: datetime, notice: Notice) -> dict:
    """Replace the year's declared days with the notice's. Every hall's row is
    held meanwhile (places' lock order, step 1), so a booking in flight either
    commits first, and is cancelled here with a notice if its day became a
    holiday, or waits and is refused by its final statement."""
    for hall_id in session.scalars(select(Hall.id).order_by(Hall.id)):
        places.lock_hall_for_change(session, hall_id)
    session.execute(delete(DeclaredDay).where(extract("year", DeclaredDay.day) == notice.year))
    session.add_all(DeclaredDay(day=day, working=working, name=name, source=notice.source, created_by=actor.id,
                                created_at=now) for day, (working, name) in sorted(notice.days.items()))
    session.flush()
    holidays = sorted(day for day, (working, _) in notice.days.items() if not working)
    cancelled = 0
    for day in holidays:
        opened = select(CalendarOverride.hall_id).where(CalendarOverride.day == day, CalendarOverride.open)
        booked = places.lock_appointments(session, Appointment.local_date == day, Appointment.status == "booked",
                                          Appointment.hall_id.not_in(opened))
        name = notice.days[day][1]
        cancelled += len(places.cancel_booked(session, actor, booked, now, reason=f"national holiday: {name}",
                                              notice=f"{day.month}月{day.day}日为{name}假期，预约已取消"))
    summary = {"year": notice.year, "source": notice.source, "holidays": len(holidays),
               "working_days": len(notice.days) - len(holidays), "appointments_cancelled": cancelled}
    audit.record(session, actor, "booking.holidays_load", "calendar", notice.year, summary, at=now)
    uow.of(session).after_commit(lambda: cache.forget(session, cache.DECLARED_KEY))
    return summary


def declared_for_year(session: Session, year: int) -> list[DeclaredDay]:
    return list(session.scalars(select(DeclaredDay).where(extract("year", DeclaredDay.day) == year)
                                .order_by(DeclaredDay.day)))
