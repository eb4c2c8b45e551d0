"""Test data for booking: a small hall with two queues, windows and two items.

Item codes come from guides' sample catalogue, which booking checks items against."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from mobile_api.clock import LOCAL_TZ

from booking.models import Hall, HallQueue, Window
from booking.services import halls
from guides import services as guide_services

WEEKDAY_HOURS = {str(d): ["08:30", "17:30"] for d in range(5)}


@dataclass
class HallSetup:
    hall: Hall
    general: HallQueue
    police: HallQueue
    general_windows: list[Window]
    police_windows: list[Window]
    general_item: str
    police_item: str
    extra: dict = field(default_factory=dict)


def catalogue_item_codes(session, clock) -> tuple[str, str]:
    """(a general-window item, a 公安 item), both bookable."""
    items = list(guide_services.list_published_items(session))
    if not items:
        guide_services.load_sample_catalogue(session, clock)
        session.flush()
        items = list(guide_services.list_published_items(session))
    bookable = [item for item in items if item.appointment_supported]
    general = next(item.code for item in bookable if item.department_code not in ("gongan", "shuiwu"))
    police = next(item.code for item in bookable if item.department_code == "gongan")
    return general, police


def build_hall(session, clock, *, code: str = "T-HALL", lat: float = 23.0205, lng: float = 113.7518,
               general_windows: int = 2, police_windows: int = 1, level: str = "city",
               opening_hours: dict | None = None) -> HallSetup:
    general_item, police_item = catalogue_item_codes(session, clock)
    hall = halls.create_hall(session, clock, code=code, name=f"测试大厅{code}", level=level, address="测试路 1 号",
                             lat=lat, lng=lng, opening_hours=opening_hours or WEEKDAY_HOURS)
    general = halls.add_queue(session, hall, "A", "综合窗口", general=True)
    police = halls.add_queue(session, hall, "B", "公安专窗")
    gw = [halls.add_window(session, hall, f"{i + 1:02d}", f"{i + 1}号窗口", [general]) for i in range(general_windows)]
    pw = [halls.add_window(session, hall, f"{i + 11:02d}", f"{i + 11}号窗口", [police], "special")
          for i in range(police_windows)]
    halls.assign_item(session, hall, general, general_item)
    halls.assign_item(session, hall, police, police_item)
    session.commit()
    return HallSetup(hall, general, police, gw, pw, general_item, police_item)


def local(day: date, hhmm: str) -> datetime:
    hours, minutes = hhmm.split(":")
    return datetime(day.year, day.month, day.day, int(hours), int(minutes), tzinfo=LOCAL_TZ)


def at_window(client, headers: dict, window_id: int) -> int:
    """Put the clerk at this window (a counter session), leaving another
    window first if needed, as a clerk moving between windows would; the session id."""
    api = "/api/v1/booking"
    current = client.get(f"{api}/counter-sessions/current", headers=headers)
    if current.status_code == 200:
        if current.json["window_id"] == window_id:
            return current.json["id"]
        closed = client.post(f"{api}/counter-sessions/{current.json['id']}/close", headers=headers)
        assert closed.status_code == 200, closed.json
    opened = client.post(f"{api}/counter-sessions", json={"window_id": window_id}, headers=headers)
    assert opened.status_code == 201, opened.json
    return opened.json["id"]
