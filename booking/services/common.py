"""Helpers shared by the booking services: look-ups, the catalogue, SQL idioms."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from mobile_api.actor import Actor
from mobile_api.clock import LOCAL_TZ
from mobile_api.db import MAX_INTEGER_ID

from ..calendar import HallDay, hall_day
from ..errors import HallNotFound, WrongHall
from ..models import CalendarOverride, Hall, HallItem, HallQueue, Window, WindowQueue
from . import cache


def end_request_transaction() -> None:
    from flask import current_app, g

    if g.get("_db_session") is not None:
        current_app.extensions["db"].session.rollback()


def local_today(now: datetime) -> date:
    return now.astimezone(LOCAL_TZ).date()


def insert_ignore(session: Session, model, values: dict, conflict_columns: list[str]) -> None:
    """INSERT … ON CONFLICT DO NOTHING: create a row that may already exist,
    without a check-then-insert race."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    session.execute(insert(model).values(**values).on_conflict_do_nothing(index_elements=conflict_columns))


def upsert(session: Session, model):
    """The dialect's INSERT that supports ON CONFLICT … DO UPDATE … WHERE."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(model)


def lock_rows(stmt, session: Session):
    """FOR UPDATE on PostgreSQL; SQLite already serialises writers (BEGIN IMMEDIATE)."""
    if session.get_bind().dialect.name == "postgresql":
        return stmt.with_for_update()
    return stmt


def execute_and_commit(session: Session, sql: str, params: dict):
    """PostgreSQL: run one statement and COMMIT in a single round trip and
    return the statement's first row.

    Why: the statement takes a hot row lock (the slot, a ticket counter) that
    every parallel request waits for. Sent with its COMMIT, the server commits
    right after the statement, so the lock is not held across a network round
    trip plus this thread's wait for the GIL in a busy worker. psycopg's
    ClientCursor binds the parameters client-side (escaped, as literals) and
    sends "statement; COMMIT" as one simple query; if the statement fails,
    the server skips the COMMIT and we roll back.

    A session bound to a connection rather than the engine has joined a
    transaction it does not own (tests' savepoints): there the statement runs
    and the session commits as usual."""
    if not isinstance(session.get_bind(), Engine):
        try:
            row = session.connection().exec_driver_sql(sql, params).first()
        except Exception:
            session.rollback()
            raise
        session.commit()
        return row
    from psycopg import ClientCursor

    raw = session.connection().connection.driver_connection
    try:
        with ClientCursor(raw) as cursor:
            cursor.execute(sql + "; COMMIT", params)
            row = cursor.fetchone()
    except Exception:
        session.rollback()
        raise
    session.commit()  # the session's own bookkeeping: the transaction is already committed
    return row


def read_and_end(session: Session, sql: str, params: dict):
    """PostgreSQL: the first row of a read that needs no transaction around
    it, in one round trip. For a read that often decides the answer alone (a
    full slot); whatever follows starts its own transaction. Only for a
    session that has written nothing yet.

    With no transaction open yet (the usual case: the hall came from the
    cache), the read runs in autocommit, so there is no BEGIN and no ROLLBACK
    to send; otherwise it goes with the COMMIT that ends the reads so far."""
    from psycopg import ClientCursor, pq

    raw = session.connection().connection.driver_connection
    try:
        if raw.pgconn.transaction_status == pq.TransactionStatus.IDLE:
            raw.autocommit = True
            try:
                return raw.execute(sql, params).fetchone()
            finally:
                raw.autocommit = False
        with ClientCursor(raw) as cursor:
            cursor.execute(sql + "; COMMIT", params)
            row = cursor.fetchone()
    except Exception:
        session.rollback()
        raise
    session.commit()  # bookkeeping only: nothing pending, the transaction has ended
    return row


def pipelined(session: Session) -> bool:
    """Whether the one-round-trip helpers above apply: PostgreSQL, and a
    session that owns its transaction (bound to the engine)."""
    bind = session.get_bind()
    return isinstance(bind, Engine) and bind.dialect.name == "postgresql"


def sqlstate(exc: BaseException) -> str | None:
    """The PostgreSQL error code of a driver error, bare or wrapped by SQLAlchemy."""
    return getattr(getattr(exc, "orig", exc), "sqlstate", None)


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
    """Kiosks and clerks act for their own hall only; a platform admin for all."""
    if actor.kind == "staff" and actor.role == "admin" and actor.hall_id is None:
        return
    if actor.hall_id != hall_id:
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


def day_of_hall(session: Session, hall, today: date) -> HallDay:
    """Today's opening at the hall (overrides from the cache)."""
    return hall_day(hall.opening_hours, today, hall_overrides(session, hall.id, today))


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
    """The published catalogue entry, or None when guides is not installed or
    does not know the code (callers decide what that means)."""
    try:
        from guides import services as guide_services
    except ImportError:
        return None
    getter = getattr(guide_services, "get_published_item", None)
    return None if getter is None else getter(session, code)


def catalogue_present() -> bool:
    try:
        from guides import services as guide_services  # noqa: F401
    except ImportError:
        return False
    return hasattr(guide_services, "get_published_item")


def windows_serving(session: Session, queue_id: int) -> int:
    return session.scalar(select(func.count()).select_from(WindowQueue)
                          .join(Window, Window.id == WindowQueue.window_id)
                          .where(WindowQueue.queue_id == queue_id, Window.active.is_(True))) or 0


def queue_capacity(session: Session, queue_id: int, places_per_window: int) -> int:
    return windows_serving(session, queue_id) * places_per_window


def get_queue(session: Session, queue_id: int) -> HallQueue | None:
    return get_row(session, HallQueue, queue_id)


def end_of_local_day(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), datetime.min.time(), LOCAL_TZ)
