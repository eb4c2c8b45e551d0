"""Helpers shared by the booking services: look-ups, the catalogue, SQL idioms."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from guides import services as guide_services
from identity import access
from mobile_api.actor import Actor
from mobile_api.clock import LOCAL_TZ
from mobile_api.db import MAX_INTEGER_ID

from ..calendar import HallDay, hall_day
from ..errors import HallNotFound, WrongHall
from mobile_api.workdays import DeclaredDays

from ..models import CalendarOverride, DeclaredDay, Hall, HallItem, HallQueue, Window, WindowQueue
from . import cache


def local_today(now: datetime) -> date:
    return now.astimezone(LOCAL_TZ).date()


def insert_ignore(session: Session, model, values: dict, conflict_columns: list[str]) -> None:
    """INSERT … ON CONFLICT DO NOTHING: create a row that may already exist,
    without a check-then-insert race."""
    session.execute(insert(model).values(**values).on_conflict_do_nothing(index_elements=conflict_columns))


def upsert(session: Session, model):
    """An INSERT that supports ON CONFLICT … DO UPDATE … WHERE."""
    return insert(model)


def lock_rows(stmt, session: Session):
    """SELECT … FOR UPDATE."""
    return stmt.with_for_update()


MAX_ID = MAX_INTEGER_ID


def get_row(session: Session, model, row_id):
    """`session.get`, but an id no column can hold is simply not found
    (PostgreSQL would refuse it with an error, i.e. a 500)."""
    if not isinstance(row_id, int) or not 0 < row_id <= MAX_ID:
        return None
    return session.get(model, row_id)


def get_hall(session: Session, hall_id: int, *, active_only: bool = True) -> Hall:
    hall = get_row(session, Hall, hall_id)
    if hall is None or (active_only and not hall.active):
        raise HallNotFound(f"服务大厅 {hall_id} 不存在")
    return hall


def ensure_same_hall(actor: Actor, hall_id: int) -> None:
    """Kiosks and staff act for their own hall only; the platform admin for all."""
    if not access.acts_for_hall(actor, hall_id):
        raise WrongHall("只能处理本大厅的业务")


def overrides_for(session: Session, hall_id: int, start: date, end: date) -> dict[date, bool]:
    rows = session.execute(select(CalendarOverride.day, CalendarOverride.open)
                           .where(CalendarOverride.hall_id == hall_id, CalendarOverride.day >= start,
                                  CalendarOverride.day <= end))
    return {day: is_open for day, is_open in rows}


def hall_overrides(session: Session, hall_id: int, today: date) -> dict[date, bool]:
    """The hall's overrides from `today` on, cached (cache.OVERRIDE_SECONDS):
    every booking and ticket asks, an admin changes them a few times a year."""
    def load() -> dict[date, bool]:
        rows = session.execute(select(CalendarOverride.day, CalendarOverride.open)
                               .where(CalendarOverride.hall_id == hall_id, CalendarOverride.day >= today))
        return {day: is_open for day, is_open in rows}
    return cache.overrides_from(session, hall_id, today, load)


def declared_days(session: Session) -> DeclaredDays:
    """The loaded holiday notices (a few dozen rows a year), cached
    (cache.DECLARED_SECONDS): every booking asks, an operator loads one a year."""
    def load() -> DeclaredDays:
        rows = session.execute(select(DeclaredDay.day, DeclaredDay.working, DeclaredDay.name))
        return DeclaredDays({day: (working, name) for day, working, name in rows})
    return cache.cached(session, cache.DECLARED_KEY, cache.DECLARED_SECONDS, load)


def day_of_hall(session: Session, hall, today: date) -> HallDay:
    """Today's opening at the hall (overrides and notices from the cache)."""
    return hall_day(hall.opening_hours, today, hall_overrides(session, hall.id, today), declared_days(session))


def hall_item(session: Session, hall_id: int, item_code: str) -> HallItem | None:
    return session.scalar(select(HallItem).where(HallItem.hall_id == hall_id, HallItem.item_code == item_code))


def _load_hall_with_item(session: Session, hall_id: int, item_code: str):
    row = session.execute(select(Hall.id, Hall.name, Hall.opening_hours, Hall.lunch_start, Hall.lunch_end,
                                 Hall.active, HallItem.queue_id, HallQueue.prefix)
                          .outerjoin(HallItem, (HallItem.hall_id == Hall.id) & (HallItem.item_code == item_code))
                          .outerjoin(HallQueue, HallQueue.id == HallItem.queue_id)
                          .where(Hall.id == hall_id)).first()
    if row is None:
        return None
    hall = cache.HallFacts(row.id, row.name, dict(row.opening_hours or {}), row.lunch_start, row.lunch_end,
                           bool(row.active))
    link = None if row.queue_id is None else cache.QueueLink(row.id, row.queue_id, row.prefix)
    return hall, link


def hall_with_item(session: Session, hall_id: int, item_code: str) -> tuple[cache.HallFacts, cache.QueueLink | None]:
    """The hall's facts and its link of the item to a queue: one Core query of
    a few columns, cached per process (cache.HALL_SECONDS), as this is on every
    booking and ticket."""
    if not isinstance(hall_id, int) or not 0 < hall_id <= MAX_ID:
        raise HallNotFound(f"服务大厅 {hall_id} 不存在")
    found = cache.cached(session, ("hall_item", hall_id, item_code), cache.HALL_SECONDS,
                         lambda: _load_hall_with_item(session, hall_id, item_code),
                         keep=lambda value: value is not None)
    if found is None or not found[0].active:
        raise HallNotFound(f"服务大厅 {hall_id} 不存在")
    return found


# code -> (expires at (monotonic), (name, appointment_supported, department_code) or None)
_CATALOGUE_CACHE: dict[str, tuple[float, tuple | None]] = {}
CATALOGUE_CACHE_SECONDS = 60.0


def catalogue_facts(session: Session, code: str) -> tuple | None:
    """(name, appointment_supported, department_code) of the published item,
    or None. Cached in the process for a minute: every booking asks, the
    catalogue changes a few times a day, and a retired item staying bookable
    for up to a minute is harmless (the hall still has to handle it)."""
    now = time.monotonic()
    cached = _CATALOGUE_CACHE.get(code)
    if cached is not None and cached[0] > now:
        return cached[1]
    item = catalogue_item(session, code)
    facts = None if item is None else (item.name, bool(item.appointment_supported), item.department_code)
    if len(_CATALOGUE_CACHE) > 10_000:
        _CATALOGUE_CACHE.clear()
    _CATALOGUE_CACHE[code] = (now + CATALOGUE_CACHE_SECONDS, facts)
    return facts


def catalogue_item(session: Session, code: str):
    """The published catalogue entry, or None when the catalogue does not know the code."""
    return guide_services.get_published_item(session, code)


def windows_serving(session: Session, queue_id: int) -> int:
    return session.scalar(select(func.count()).select_from(WindowQueue)
                          .join(Window, Window.id == WindowQueue.window_id)
                          .where(WindowQueue.queue_id == queue_id, Window.active.is_(True))) or 0


def queue_capacity(session: Session, queue_id: int, places_per_window: int) -> int:
    """Active windows serving the queue × the queue's own places per window
    (an admin's setting) or the default."""
    own = session.scalar(select(HallQueue.places_per_window).where(HallQueue.id == queue_id))
    return windows_serving(session, queue_id) * (own or places_per_window)


def get_queue(session: Session, queue_id: int) -> HallQueue | None:
    return get_row(session, HallQueue, queue_id)


def end_of_local_day(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), datetime.min.time(), LOCAL_TZ)
