"""Setting up a city: halls (address, location, opening hours), their queues
(prefix, items served, places per window), windows and which hall handles
which item. Used by the admin API (`booking/routes_admin.py`), the CLI and
the hall import (`booking/hall_import.py`).

Who may: the platform admin creates halls; the platform admin or the hall's
own admin changes a hall, its queues, windows and items. Every change is
audited and drops this process's caches of the hall at once (other processes
follow within the bounds in docs/booking.md).
"""

from __future__ import annotations

import re

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from identity import access
from mobile_api import audit, uow
from mobile_api.actor import Actor
from mobile_api.errors import Forbidden

from ..errors import ItemNotHandled, QueueNotFound, SetupConflict, SetupInvalid, WindowNotFound
from ..models import HALL_LEVELS, Hall, HallItem, HallQueue, Window, WindowQueue
from . import cache
from .common import catalogue_item, get_hall, get_row

_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_PREFIX = re.compile(r"^[A-Z]{1,2}$")
_ITEM = re.compile(r"^\d{12}$")
HALL_FIELDS = ("name", "level", "town", "address", "lat", "lng", "phone", "opening_hours", "lunch_start",
               "lunch_end", "active", "notify_position")


# -- names (statistics, notices) -----------------------------------------------

def place_names(session: Session, hall_ids=(), window_ids=()) -> tuple[dict[int, str], dict[int, str]]:
    """({hall id: name}, {window id: "<hall> <number>号窗口 <name>"})."""
    halls = {row.id: row.name for row in session.execute(
        select(Hall.id, Hall.name).where(Hall.id.in_(sorted({i for i in hall_ids if isinstance(i, int)}))))}
    windows = {}
    wanted = sorted({i for i in window_ids if isinstance(i, int)})
    if wanted:
        for row in session.execute(select(Window.id, Window.name, Window.number, Hall.name.label("hall"))
                                   .join(Hall, Hall.id == Window.hall_id).where(Window.id.in_(wanted))):
            windows[row.id] = f"{row.hall} {row.name}"
    return halls, windows


# -- checks ------------------------------------------------------------------

def _invalid(field: str, message: str):
    return SetupInvalid(message, errors={field: [message]})


def check_opening_hours(hours) -> dict:
    """{"0".."6": ["HH:MM", "HH:MM"] | null}, Monday = "0"; a day left out is closed."""
    if not isinstance(hours, dict) or not hours:
        raise _invalid("opening_hours", "营业时间应为 {\"0\": [\"08:30\", \"17:30\"], …}（0 为周一）")
    clean = {}
    for day, span in hours.items():
        if str(day) not in {str(d) for d in range(7)}:
            raise _invalid("opening_hours", f"星期应为 0–6（0 为周一），收到 {day!r}")
        if span is None:
            clean[str(day)] = None
            continue
        if (not isinstance(span, (list, tuple)) or len(span) != 2
                or not all(isinstance(t, str) and _TIME.match(t) for t in span) or span[0] >= span[1]):
            raise _invalid("opening_hours", f"星期 {day} 的营业时间应为 [\"HH:MM\", \"HH:MM\"] 且开始早于结束")
        clean[str(day)] = [span[0], span[1]]
    if not any(clean.values()):
        raise _invalid("opening_hours", "至少要有一天营业")
    return clean


def _check_hall_values(values: dict) -> dict:
    if "level" in values and values["level"] not in HALL_LEVELS:
        raise _invalid("level", "级别应为 city / town / village")
    if "lat" in values and not -90 <= float(values["lat"]) <= 90:
        raise _invalid("lat", "纬度应在 -90 到 90 之间")
    if "lng" in values and not -180 <= float(values["lng"]) <= 180:
        raise _invalid("lng", "经度应在 -180 到 180 之间")
    if "opening_hours" in values:
        values["opening_hours"] = check_opening_hours(values["opening_hours"])
    for field in ("lunch_start", "lunch_end"):
        if values.get(field) is not None and not _TIME.match(str(values[field])):
            raise _invalid(field, "时间应为 HH:MM")
    return values


def _check_lunch(hall: Hall) -> None:
    if (hall.lunch_start is None) != (hall.lunch_end is None) or (
            hall.lunch_start is not None and hall.lunch_start >= hall.lunch_end):
        raise _invalid("lunch_start", "午休应同时给出开始和结束，且开始早于结束")


def ensure_may_create_halls(actor: Actor) -> None:
    if actor.kind != "system" and not access.is_platform_admin(actor):
        raise Forbidden("仅平台管理员可新建服务大厅")


def ensure_manages(actor: Actor, hall_id: int) -> None:
    if actor.kind != "system" and not access.manages_hall(actor, hall_id):
        raise Forbidden("只能由平台管理员或本大厅管理员设置大厅")


def _flush(session: Session, what: str) -> None:
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        raise SetupConflict(f"{what}已存在") from exc


def _forget_caches(session: Session) -> None:
    """Set-up changes are rare: this process drops all its booking caches,
    now and again after the commit (a booking in between may have cached
    the old state)."""
    cache.clear_all()
    uow.of(session).after_commit(cache.clear_all)


# -- halls ---------------------------------------------------------------------

def create_hall(session: Session, clock, actor: Actor, values: dict) -> Hall:
    from .halls import create_hall as insert_hall

    ensure_may_create_halls(actor)
    values = _check_hall_values(dict(values))
    lunch = (values.get("lunch_start"), values.get("lunch_end")) if "lunch_start" in values or \
        "lunch_end" in values else ("12:00", "14:00")
    if (lunch[0] is None) != (lunch[1] is None) or (lunch[0] is not None and lunch[0] >= lunch[1]):
        raise _invalid("lunch_start", "午休应同时给出开始和结束，且开始早于结束")
    if session.scalar(select(Hall.id).where(Hall.code == values["code"])) is not None:
        raise SetupConflict(f"大厅编码 {values['code']} 已存在", errors={"code": ["已存在"]})
    try:
        with session.begin_nested():
            hall = insert_hall(session, clock, code=values["code"], name=values["name"], level=values["level"],
                               address=values["address"], lat=float(values["lat"]), lng=float(values["lng"]),
                               opening_hours=values["opening_hours"], town=values.get("town"),
                               phone=values.get("phone"), lunch=None if lunch[0] is None else lunch, actor=actor)
            if "notify_position" in values:
                hall.notify_position = values["notify_position"]
                session.flush()
    except IntegrityError as exc:  # a parallel admin took the code
        raise SetupConflict(f"大厅编码 {values['code']} 已存在", errors={"code": ["已存在"]}) from exc
    _forget_caches(session)
    return hall


def update_hall(session: Session, clock, actor: Actor, hall_id: int, values: dict) -> Hall:
    hall = get_hall(session, hall_id, active_only=False)
    ensure_manages(actor, hall.id)
    values = _check_hall_values(dict(values))
    changed = {}
    for field in HALL_FIELDS:
        if field in values and getattr(hall, field) != values[field]:
            changed[field] = values[field]
            setattr(hall, field, values[field])
    _check_lunch(hall)
    if changed:
        session.flush()
        audit.record(session, actor, "booking.hall_update", "hall", hall.id,
                     {k: v for k, v in changed.items() if k != "opening_hours"}
                     | ({"opening_hours": True} if "opening_hours" in changed else {}), at=clock.now())
        _forget_caches(session)
    return hall


def list_admin_halls(session: Session, actor: Actor):
    """Every hall the admin manages, inactive ones too."""
    stmt = select(Hall).order_by(Hall.id)
    if actor.kind != "system" and not access.is_platform_admin(actor):
        if not access.is_hall_admin(actor):
            raise Forbidden("只能由平台管理员或大厅管理员查看大厅设置")
        stmt = stmt.where(Hall.id == actor.hall_id)
    return stmt


def close_hall(session: Session, clock, actor: Actor, hall_id: int, day, reason: str, is_open: bool = False):
    """A closure (or an extra opening day) through booking's calendar-override
    service, which owns what happens to the appointments booked that day."""
    from .halls import set_override

    get_hall(session, hall_id, active_only=False)
    ensure_manages(actor, hall_id)
    return set_override(session, actor, clock, hall_id, day, is_open, reason)


def list_overrides(session: Session, actor: Actor, hall_id: int, since):
    from ..models import CalendarOverride

    get_hall(session, hall_id, active_only=False)
    ensure_manages(actor, hall_id)
    return list(session.scalars(select(CalendarOverride).where(CalendarOverride.hall_id == hall_id,
                                                                CalendarOverride.day >= since)
                                .order_by(CalendarOverride.day)))


# -- queues --------------------------------------------------------------------

def get_queue_for_admin(session: Session, actor: Actor, queue_id: int) -> HallQueue:
    queue = get_row(session, HallQueue, queue_id)
    if queue is None:
        raise QueueNotFound(f"队列 {queue_id} 不存在")
    ensure_manages(actor, queue.hall_id)
    return queue


def _check_places(value) -> int | None:
    if value is not None and not (isinstance(value, int) and 1 <= value <= 100):
        raise _invalid("places_per_window", "每窗口号源数应为 1–100，或 null 使用默认值")
    return value


def add_queue(session: Session, clock, actor: Actor, hall_id: int, *, prefix: str, name: str,
              general: bool = False, places_per_window: int | None = None) -> HallQueue:
    hall = get_hall(session, hall_id, active_only=False)
    ensure_manages(actor, hall.id)
    if not _PREFIX.match(prefix or ""):
        raise _invalid("prefix", "号码前缀应为 1–2 个大写字母")
    queue = HallQueue(hall_id=hall.id, prefix=prefix, name=name, general=general, ahead_streak=0,
                      places_per_window=_check_places(places_per_window))
    session.add(queue)
    _flush(session, f"前缀 {prefix} 的队列")
    audit.record(session, actor, "booking.queue_create", "queue", queue.id,
                 {"hall_id": hall.id, "prefix": prefix, "places_per_window": places_per_window}, at=clock.now())
    _forget_caches(session)
    return queue


def update_queue(session: Session, clock, actor: Actor, queue_id: int, values: dict) -> HallQueue:
    queue = get_queue_for_admin(session, actor, queue_id)
    if "places_per_window" in values:
        _check_places(values["places_per_window"])
    changed = {k: values[k] for k in ("name", "general", "places_per_window")
               if k in values and getattr(queue, k) != values[k]}
    for key, value in changed.items():
        setattr(queue, key, value)
    if changed:
        session.flush()
        audit.record(session, actor, "booking.queue_update", "queue", queue.id, changed, at=clock.now())
        _forget_caches(session)
    return queue


# -- windows -------------------------------------------------------------------

def get_window_for_admin(session: Session, actor: Actor, window_id: int) -> Window:
    window = get_row(session, Window, window_id)
    if window is None:
        raise WindowNotFound(f"窗口 {window_id} 不存在")
    ensure_manages(actor, window.hall_id)
    return window


def _hall_queues(session: Session, hall_id: int, queue_ids) -> list[HallQueue]:
    ids = list(dict.fromkeys(queue_ids or []))
    queues = list(session.scalars(select(HallQueue).where(HallQueue.hall_id == hall_id, HallQueue.id.in_(ids))))
    if len(queues) != len(ids) or not ids:
        raise _invalid("queue_ids", "窗口至少服务一个本大厅的队列")
    return queues


def _serve(session: Session, window: Window, queues: list[HallQueue]) -> None:
    old = set(session.scalars(select(WindowQueue.queue_id).where(WindowQueue.window_id == window.id)))
    session.execute(delete(WindowQueue).where(WindowQueue.window_id == window.id))
    for queue in queues:
        session.add(WindowQueue(window_id=window.id, queue_id=queue.id))
    for queue_id in old | {q.id for q in queues}:
        cache.forget_estimate(session, queue_id)


def add_window(session: Session, clock, actor: Actor, hall_id: int, *, number: str, name: str,
               kind: str = "general", queue_ids=(), active: bool = True) -> Window:
    hall = get_hall(session, hall_id, active_only=False)
    ensure_manages(actor, hall.id)
    queues = _hall_queues(session, hall.id, queue_ids)
    window = Window(hall_id=hall.id, number=number, name=name, kind=kind, active=active)
    session.add(window)
    _flush(session, f"编号 {number} 的窗口")
    _serve(session, window, queues)
    session.flush()
    audit.record(session, actor, "booking.window_create", "window", window.id,
                 {"hall_id": hall.id, "number": number, "kind": kind, "queues": [q.prefix for q in queues]},
                 at=clock.now())
    _forget_caches(session)
    return window


def update_window(session: Session, clock, actor: Actor, window_id: int, values: dict) -> Window:
    window = get_window_for_admin(session, actor, window_id)
    changed = {k: values[k] for k in ("name", "kind", "active") if k in values and getattr(window, k) != values[k]}
    for key, value in changed.items():
        setattr(window, key, value)
    if "queue_ids" in values:
        queues = _hall_queues(session, window.hall_id, values["queue_ids"])
        _serve(session, window, queues)
        changed["queues"] = [q.prefix for q in queues]
    if changed:
        session.flush()
        audit.record(session, actor, "booking.window_update", "window", window.id, changed, at=clock.now())
        _forget_caches(session)
    return window


def served_queue_ids(session: Session, window_ids) -> dict[int, list[int]]:
    served: dict[int, list[int]] = {}
    for window_id, queue_id in session.execute(select(WindowQueue.window_id, WindowQueue.queue_id)
                                               .where(WindowQueue.window_id.in_(list(window_ids)))
                                               .order_by(WindowQueue.queue_id)):
        served.setdefault(window_id, []).append(queue_id)
    return served


# -- which hall handles which item ------------------------------------------------

def set_hall_item(session: Session, clock, actor: Actor, hall_id: int, item_code: str, queue_id: int) -> HallItem:
    """The hall handles the item in that queue (a new link, or the link moved)."""
    hall = get_hall(session, hall_id, active_only=False)
    ensure_manages(actor, hall.id)
    if not _ITEM.match(item_code or ""):
        raise _invalid("item_code", "事项编码应为 12 位数字")
    if catalogue_item(session, item_code) is None:
        raise _invalid("item_code", f"事项 {item_code} 不在办事指南中或未发布")
    queue = get_row(session, HallQueue, queue_id)
    if queue is None or queue.hall_id != hall.id:
        raise _invalid("queue_id", "队列不属于该大厅")
    link = session.scalar(select(HallItem).where(HallItem.hall_id == hall.id, HallItem.item_code == item_code))
    if link is None:
        link = HallItem(hall_id=hall.id, item_code=item_code, queue_id=queue.id)
        session.add(link)
    elif link.queue_id == queue.id:
        return link
    else:
        link.queue_id = queue.id
    _flush(session, f"事项 {item_code} 的办理设置")
    audit.record(session, actor, "booking.hall_item_set", "hall", hall.id,
                 {"item_code": item_code, "queue": queue.prefix}, at=clock.now())
    _forget_caches(session)
    return link


def remove_hall_item(session: Session, clock, actor: Actor, hall_id: int, item_code: str) -> None:
    """The hall stops handling the item: no new bookings or tickets for it;
    appointments already booked stay (the hall serves them)."""
    hall = get_hall(session, hall_id, active_only=False)
    ensure_manages(actor, hall.id)
    removed = session.execute(delete(HallItem).where(HallItem.hall_id == hall.id, HallItem.item_code == item_code))
    if removed.rowcount == 0:
        raise ItemNotHandled(f"该大厅未设置办理事项 {item_code}", errors={"item_code": ["该大厅不办理此事项"]})
    audit.record(session, actor, "booking.hall_item_remove", "hall", hall.id, {"item_code": item_code},
                 at=clock.now())
    _forget_caches(session)


def hall_setup(session: Session, actor: Actor, hall_id: int) -> dict:
    """Everything an admin sets for a hall, inactive parts included."""
    hall = get_hall(session, hall_id, active_only=False)
    ensure_manages(actor, hall.id)
    queues = list(session.scalars(select(HallQueue).where(HallQueue.hall_id == hall.id).order_by(HallQueue.prefix)))
    windows = list(session.scalars(select(Window).where(Window.hall_id == hall.id).order_by(Window.number)))
    served = served_queue_ids(session, [w.id for w in windows])
    items = session.execute(select(HallItem.item_code, HallItem.queue_id).where(HallItem.hall_id == hall.id)
                            .order_by(HallItem.item_code)).all()
    counts = dict(session.execute(select(HallItem.queue_id, func.count()).where(HallItem.hall_id == hall.id)
                                  .group_by(HallItem.queue_id)).all())
    return {"hall": hall,
            "queues": [{"queue": q, "items": counts.get(q.id, 0)} for q in queues],
            "windows": [{"window": w, "queue_ids": served.get(w.id, [])} for w in windows],
            "items": [{"item_code": code, "queue_id": queue_id} for code, queue_id in items]}
