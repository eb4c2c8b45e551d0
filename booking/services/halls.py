"""Halls, their queues, windows, items and calendars; the slots a citizen sees."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from identity import access
from mobile_api import audit, uow
from mobile_api.actor import SYSTEM, Actor
from mobile_api.clock import LOCAL_TZ
from mobile_api.errors import Conflict, Forbidden, Unprocessable

from ..calendar import HallDay, distance_meters, hall_day, last_bookable_day, slot_starts
from ..errors import BeyondHorizon, DateInPast, HallClosed, ItemNotBookable, ItemNotHandled
from ..models import HALL_LEVELS, CalendarOverride, Hall, HallItem, HallQueue, Slot, Window, WindowQueue
from ..policy import Policy
from . import cache, places
from .common import catalogue_facts, declared_days, get_hall, hall_item, hall_overrides, local_today, queue_capacity


# -- set-up (seeder, admin CLI, tests) ---------------------------------------

def create_hall(session: Session, clock, *, code: str, name: str, level: str, address: str, lat: float,
                lng: float, opening_hours: dict, town: str | None = None, phone: str | None = None,
                lunch: tuple[str, str] | None = ("12:00", "14:00"), actor: Actor = SYSTEM) -> Hall:
    if level not in HALL_LEVELS:
        raise ValueError(f"level must be one of {HALL_LEVELS}")
    hall = Hall(code=code, name=name, level=level, town=town, address=address, lat=lat, lng=lng, phone=phone,
                opening_hours=opening_hours, lunch_start=lunch[0] if lunch else None,
                lunch_end=lunch[1] if lunch else None, active=True, created_at=clock.now())
    session.add(hall)
    session.flush()
    audit.record(session, actor, "booking.hall_create", "hall", hall.id, {"code": code, "level": level},
                 at=clock.now())
    return hall


def add_queue(session: Session, hall: Hall, prefix: str, name: str, general: bool = False) -> HallQueue:
    queue = HallQueue(hall_id=hall.id, prefix=prefix, name=name, general=general, ahead_streak=0)
    session.add(queue)
    session.flush()
    return queue


def add_window(session: Session, hall: Hall, number: str, name: str, queues: list[HallQueue],
               kind: str = "general") -> Window:
    window = Window(hall_id=hall.id, number=number, name=name, kind=kind, active=True)
    session.add(window)
    session.flush()
    for queue in queues:
        session.add(WindowQueue(window_id=window.id, queue_id=queue.id))
        cache.forget_estimate(session, queue.id)
    session.flush()
    return window


def assign_item(session: Session, hall: Hall, queue: HallQueue, item_code: str) -> HallItem:
    if not (len(item_code) == 12 and item_code.isdigit()):
        raise ValueError("item codes have 12 digits")
    link = HallItem(hall_id=hall.id, item_code=item_code, queue_id=queue.id)
    session.add(link)
    session.flush()
    cache.forget(session, ("hall_item", hall.id, item_code))
    return link


def set_override(session: Session, actor: Actor, clock, hall_id: int, day: date, is_open: bool,
                 reason: str) -> CalendarOverride:
    """An admin closes a hall for a day or opens it on an extra day. A
    closure cancels the day's booked appointments with a notice to each
    citizen (places.close_day); the hall's row is held meanwhile, so no
    booking or reschedule into that day can slip in beside it."""
    if actor.kind != "system" and not access.manages_hall(actor, hall_id):  # the CLI acts as the system
        # A department's admin runs its items, not a hall's opening days.
        raise Forbidden("只能由平台管理员或本大厅管理员调整大厅日历")
    get_hall(session, hall_id)
    if day < local_today(clock.now()):
        raise DateInPast("不能调整已过去的日期")
    places.lock_hall_for_change(session, hall_id)
    existing = session.scalar(select(CalendarOverride).where(CalendarOverride.hall_id == hall_id,
                                                             CalendarOverride.day == day))
    if existing is None:
        existing = CalendarOverride(hall_id=hall_id, day=day, open=is_open, reason=reason, created_by=actor.id,
                                    created_at=clock.now())
        session.add(existing)
    else:
        existing.open, existing.reason, existing.created_by = is_open, reason, actor.id
    try:
        session.flush()
    except IntegrityError as exc:  # a parallel admin wrote the same day first
        raise Conflict("该日期的调整正被同时修改，请重试", code="booking.override_conflict") from exc
    cancelled = 0 if is_open else places.close_day(session, actor, hall_id, day, clock.now(), reason)
    audit.record(session, actor, "booking.calendar_override", "hall", hall_id,
                 {"day": day.isoformat(), "open": is_open, "reason": reason, "appointments_cancelled": cancelled},
                 at=clock.now())
    existing.appointments_cancelled = cancelled
    # this process honours the change once committed; others within cache.OVERRIDE_SECONDS
    uow.of(session).after_commit(lambda: cache.forget_overrides(session, hall_id))
    return existing


# -- reading -------------------------------------------------------------------

@dataclass
class HallListEntry:
    hall: Hall
    distance_m: float | None


def list_halls(session: Session, *, item_code: str | None = None, level: str | None = None,
               lat: float | None = None, lng: float | None = None) -> list[HallListEntry]:
    stmt = select(Hall).where(Hall.active.is_(True))
    if item_code:
        stmt = stmt.where(Hall.id.in_(select(HallItem.hall_id).where(HallItem.item_code == item_code)))
    if level:
        stmt = stmt.where(Hall.level == level)
    halls = list(session.scalars(stmt.order_by(Hall.id)))
    if lat is None or lng is None:
        return [HallListEntry(hall, None) for hall in halls]
    entries = [HallListEntry(hall, round(distance_meters(lat, lng, hall.lat, hall.lng))) for hall in halls]
    return sorted(entries, key=lambda entry: (entry.distance_m, entry.hall.id))


def hall_detail(session: Session, hall_id: int) -> dict:
    hall = get_hall(session, hall_id)
    queues = list(session.scalars(select(HallQueue).where(HallQueue.hall_id == hall.id).order_by(HallQueue.prefix)))
    windows = list(session.scalars(select(Window).where(Window.hall_id == hall.id).order_by(Window.number)))
    served = {}
    for window_id, queue_id in session.execute(select(WindowQueue.window_id, WindowQueue.queue_id)
                                               .where(WindowQueue.window_id.in_([w.id for w in windows]))):
        served.setdefault(window_id, []).append(queue_id)
    prefixes = {queue.id: queue.prefix for queue in queues}
    items = list(session.scalars(select(HallItem).where(HallItem.hall_id == hall.id).order_by(HallItem.item_code)))
    return {
        "hall": hall,
        "queues": queues,
        "windows": [{"id": w.id, "number": w.number, "name": w.name, "kind": w.kind, "active": w.active,
                     "queues": sorted(prefixes[q] for q in served.get(w.id, []))} for w in windows],
        "items": [{"item_code": link.item_code, "queue": prefixes[link.queue_id]} for link in items],
    }


@dataclass
class SlotView:
    starts_at: datetime
    ends_at: datetime
    capacity: int
    remaining: int
    bookable: bool

    @property
    def local_time(self) -> str:
        return self.starts_at.astimezone(LOCAL_TZ).strftime("%H:%M")


@dataclass
class DaySlots:
    hall: Hall
    item_code: str
    queue: HallQueue
    day: HallDay
    slots: list[SlotView]


def check_bookable_item(session: Session, hall: Hall, item_code: str, link: HallItem | None = None,
                        linked: bool = False) -> HallItem:
    if not linked:
        link = hall_item(session, hall.id, item_code)
    if link is None:
        raise ItemNotHandled(f"{hall.name}不办理事项 {item_code}", errors={"item": ["该大厅不办理此事项"]})
    facts = catalogue_facts(session, item_code)
    if facts is None:
        raise ItemNotHandled(f"事项 {item_code} 不在办事指南中或已下线", errors={"item": ["事项不存在或已下线"]})
    if not facts[1]:
        raise ItemNotBookable(f"“{facts[0]}”不支持预约，请直接到大厅取号")
    return link


def check_bookable_day(session: Session, hall: Hall, day: date, now: datetime, policy: Policy) -> HallDay:
    today = local_today(now)
    if day < today:
        raise DateInPast(f"{day.isoformat()} 已过，请选择今天或以后的日期", errors={"date": ["日期已过"]})
    overrides = hall_overrides(session, hall.id, today)
    declared = declared_days(session)
    last = last_bookable_day(today, policy.horizon_working_days, overrides, declared)
    if day > last:
        raise BeyondHorizon(f"最远可预约到 {last.isoformat()}（{policy.horizon_working_days} 个工作日内）",
                            errors={"date": ["超出可预约范围"]}, extra={"last_bookable_date": last.isoformat()})
    info = hall_day(hall.opening_hours, day, overrides, declared)
    if not info.open:
        reason = f"（{info.holiday_name}）" if info.holiday_name else ""
        raise HallClosed(f"{hall.name} {day.isoformat()} 不办公{reason}", errors={"date": ["当天不办公"]})
    return info


def slots_for_day(session: Session, clock, policy: Policy, hall_id: int, item_code: str, day: date) -> DaySlots:
    now = clock.now()
    hall = get_hall(session, hall_id)
    link = check_bookable_item(session, hall, item_code)
    info = check_bookable_day(session, hall, day, now, policy)
    queue = session.get(HallQueue, link.queue_id)
    capacity = queue_capacity(session, queue.id, policy.places_per_window)
    existing = {row.starts_at: row for row in session.scalars(
        select(Slot).where(Slot.queue_id == queue.id, Slot.local_date == day))}
    views = []
    for starts_at, ends_at in slot_starts(info, hall.lunch_start, hall.lunch_end, policy.slot_minutes):
        row = existing.get(starts_at)
        cap = row.capacity if row is not None else capacity
        remaining = max(0, cap - (row.booked if row is not None else 0))
        views.append(SlotView(starts_at, ends_at, cap, remaining,
                              remaining > 0 and starts_at >= now + policy.min_notice))
    return DaySlots(hall, item_code, queue, info, views)


def require_valid_item_code(code: str | None) -> None:
    if code is not None and not (len(code) == 12 and code.isdigit()):
        raise Unprocessable("事项编码应为 12 位数字", errors={"item": ["事项编码应为 12 位数字"]})
