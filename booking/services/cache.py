"""Per-process caches of what every booking and ticket reads but an admin
changes rarely: a hall's facts with its item↔queue link, the hall's calendar
overrides, and the inputs of a ticket's wait estimate.

Why: on the busiest requests these reads were most of the round trips (a
booking refused as full needed three reads to learn one fact, the slot's
fill). None of the rules depends on them being fresh to the millisecond; the
rules that must hold across processes stay in SQL (capacity by the
conditional UPDATE, uniqueness by indexes, numbers by the counter row).

Staleness bounds, per process (the process that makes the change drops its
own entry at once):
- hall facts (name, opening hours, lunch break, active) and the item↔queue
  link: HALL_SECONDS;
- calendar overrides (a closure or an extra opening day): OVERRIDE_SECONDS;
- the loaded holiday notices (`booking_declared_days`): DECLARED_SECONDS;
- windows serving a queue and its recent service time (the wait estimate
  only; a new slot's capacity is still counted from the database):
  ESTIMATE_SECONDS.

Entries are kept per database bind (the engine in production, the test's
connection in tests), so data of one database never answers for another.
Plain dict operations under the GIL; a lost race only costs a second read.
"""

from __future__ import annotations

import time
import weakref
from dataclasses import dataclass
from datetime import date
from typing import Any, Callable

from sqlalchemy.orm import Session

HALL_SECONDS = 30.0
OVERRIDE_SECONDS = 10.0
DECLARED_SECONDS = 60.0
DECLARED_KEY = ("declared_days",)
ESTIMATE_SECONDS = 30.0
MAX_ENTRIES = 10_000

_monotonic = time.monotonic  # tests move it to show the bounds

_stores: "weakref.WeakKeyDictionary[Any, dict]" = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class HallFacts:
    """What the booking and ticket paths read of a hall (duck-types `Hall`)."""
    id: int
    name: str
    opening_hours: dict
    lunch_start: str | None
    lunch_end: str | None
    active: bool


@dataclass(frozen=True)
class QueueLink:
    """A hall's link of an item to a queue (duck-types `HallItem` and the
    parts of `HallQueue` a ticket needs)."""
    hall_id: int
    queue_id: int
    prefix: str

    @property
    def id(self) -> int:  # as HallQueue.id
        return self.queue_id


def _store(session: Session) -> dict:
    bind = session.get_bind()
    store = _stores.get(bind)
    if store is None:
        store = _stores.setdefault(bind, {})
    return store


def cached(session: Session, key: tuple, seconds: float, load: Callable[[], Any], *,
           keep: Callable[[Any], bool] = lambda value: True) -> Any:
    """The value under `key` if younger than `seconds`, else `load()` (kept
    only when `keep(value)`: e.g. an unknown hall id is not worth a slot)."""
    store = _store(session)
    now = _monotonic()
    entry = store.get(key)
    if entry is not None and entry[0] > now:
        return entry[1]
    value = load()
    if keep(value):
        if len(store) >= MAX_ENTRIES:
            store.clear()
        store[key] = (now + seconds, value)
    return value


def forget(session: Session, key: tuple) -> None:
    _store(session).pop(key, None)


def overrides_key(hall_id: int) -> tuple:
    return ("overrides", hall_id)


def estimate_key(queue_id: int) -> tuple:
    return ("estimate", queue_id)


def forget_overrides(session: Session, hall_id: int) -> None:
    """The admin's own process honours a new override at once."""
    forget(session, overrides_key(hall_id))


def forget_estimate(session: Session, queue_id: int) -> None:
    forget(session, estimate_key(queue_id))


def clear_all() -> None:
    for store in list(_stores.values()):
        store.clear()


def overrides_from(session: Session, hall_id: int, today: date, load: Callable[[], dict]) -> dict[date, bool]:
    """The hall's overrides from `today` on (all of them: a superset of any
    range a check needs; an admin sets a handful a year)."""
    day, overrides = cached(session, overrides_key(hall_id), OVERRIDE_SECONDS, lambda: (today, load()))
    if day != today:  # past midnight: read afresh from the new day
        forget_overrides(session, hall_id)
        day, overrides = cached(session, overrides_key(hall_id), OVERRIDE_SECONDS, lambda: (today, load()))
    return overrides
