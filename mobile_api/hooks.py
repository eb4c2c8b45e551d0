"""Cross-package extension points, so packages cooperate without importing
each other's models.

- served events: booking (tickets), submissions (applications) and feedback
  (cases) say what a citizen was served, so feedback can take a rating for it;
- citizen merge: when WeChat reveals that two citizen records are one person,
  every package moves its rows from one to the other;
- citizen erasure: when a citizen closes the account, every package erases or
  pseudonymises its personal data.

Packages register in their `init_app`; callers go through the functions below.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from sqlalchemy.orm import Session


@dataclass(frozen=True)
class ServedEvent:
    kind: str  # ticket | application | case
    id: int
    citizen_id: int | None  # who was served (None: walk-in without an account)
    finished: bool  # completed ticket, completed application, closed case
    finished_at: datetime | None
    department_code: str | None = None
    hall_id: int | None = None
    window_id: int | None = None
    item_code: str | None = None
    staff_id: int | None = None  # who served; may not rate their own service


ServedEventSource = Callable[[Session, int], "ServedEvent | None"]
CitizenMergeHook = Callable[[Session, int, int], None]
CitizenErasureHook = Callable[[Session, int, datetime], None]

_served_sources: dict[str, ServedEventSource] = {}
_merge_hooks: dict[str, CitizenMergeHook] = {}
_erasure_hooks: dict[str, CitizenErasureHook] = {}


def register_served_event_source(kind: str, source: ServedEventSource) -> None:
    _served_sources[kind] = source


def served_event_kinds() -> list[str]:
    return sorted(_served_sources)


def get_served_event(session: Session, kind: str, event_id: int) -> ServedEvent | None:
    source = _served_sources.get(kind)
    return None if source is None else source(session, event_id)


def register_citizen_merge_hook(package: str, hook: CitizenMergeHook) -> None:
    _merge_hooks[package] = hook


def merge_citizens(session: Session, from_citizen_id: int, into_citizen_id: int) -> None:
    """Move every package's rows; runs inside the caller's transaction."""
    for _, hook in sorted(_merge_hooks.items()):
        hook(session, from_citizen_id, into_citizen_id)


def register_citizen_erasure_hook(package: str, hook: CitizenErasureHook) -> None:
    _erasure_hooks[package] = hook


def erase_citizen(session: Session, citizen_id: int, now: datetime) -> None:
    for _, hook in sorted(_erasure_hooks.items()):
        hook(session, citizen_id, now)


# Notices that can stop being true before they are delivered (a reminder for
# a slot that has started or was cancelled, a call to a window the ticket has
# left). The package that wrote the notice says, at delivery time, whether it
# still holds; the delivering package drops it otherwise.
NoticeCheck = Callable[[Session, dict, datetime], "str | None"]
_notice_checks: dict[str, NoticeCheck] = {}


def register_notice_check(event: str, check: NoticeCheck) -> None:
    """`check(session, data, now)` returns None while the `citizen.notify`
    event's `data` is still true, else a short stable reason (`slot_started`)."""
    _notice_checks[event] = check


def notice_obsolete(session: Session, event: str, data: dict, now: datetime) -> str | None:
    check = _notice_checks.get(event)
    return None if check is None else check(session, data, now)
