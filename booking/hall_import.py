"""Importing halls from a file (`flask booking import-halls FILE`), and
exporting them in the same shape (`flask booking export-halls`), so a city
keeps its halls in a file it can review and re-import.

JSON: `{"halls": [{code, name, level, town?, address, lat, lng, phone?,
opening_hours {"0": ["08:30", "17:30"], …} (0 = Monday), lunch? ["12:00",
"14:00"] | null, active?, queues? [{prefix, name, general?,
places_per_window?, items? [12-digit codes]}], windows? [{number, name,
kind?, queues [prefixes], active?}]}]}`.

CSV (halls only; queues and windows through JSON or the admin API): a header
`code,name,level,town,address,lat,lng,phone,hours,lunch` where `hours` is
`mon-fri 08:30-17:30; sat 09:00-12:00` and `lunch` is `12:00-14:00` or empty.

A hall whose code exists is updated, queues are matched by prefix, windows
by number, items are linked (or moved) to their queue; nothing is deleted.
The whole file is one unit of work: one bad entry and nothing is imported,
with every problem named by hall code and field.
"""

from __future__ import annotations

import csv
import io
import json
import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from mobile_api.actor import SYSTEM
from mobile_api.errors import DomainError

from .errors import SetupInvalid
from .models import Hall, HallItem, HallQueue, Window
from .services import setup

DAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
_SPAN = re.compile(r"^(?P<first>[a-z]{3})(?:-(?P<last>[a-z]{3}))?\s+(?P<open>\d\d:\d\d)-(?P<close>\d\d:\d\d)$")


class ImportProblems(SetupInvalid):
    code = "booking.import_invalid"
    title = "导入文件有误"


def parse_hours(text: str) -> dict:
    """`mon-fri 08:30-17:30; sat 09:00-12:00` → {"0": ["08:30", "17:30"], …}."""
    hours = {}
    for part in filter(None, (p.strip().lower() for p in (text or "").split(";"))):
        match = _SPAN.match(part)
        if not match or match["first"] not in DAYS or (match["last"] and match["last"] not in DAYS):
            raise ValueError(f"营业时间 {part!r} 应形如 mon-fri 08:30-17:30")
        first, last = DAYS[match["first"]], DAYS[match["last"] or match["first"]]
        for day in range(first, last + 1):
            hours[str(day)] = [match["open"], match["close"]]
    return hours


def read_file(name: str, content: str) -> list[dict]:
    if name.lower().endswith(".csv"):
        return _read_csv(content)
    try:
        data = json.loads(content)
    except ValueError as exc:
        raise ImportProblems(f"不是有效的 JSON: {exc}") from exc
    halls = data.get("halls") if isinstance(data, dict) else data
    if not isinstance(halls, list) or not all(isinstance(h, dict) for h in halls):
        raise ImportProblems("JSON 应为 {\"halls\": [ {…}, … ]}")
    return halls


def _read_csv(content: str) -> list[dict]:
    halls = []
    for number, row in enumerate(csv.DictReader(io.StringIO(content.lstrip("\ufeff"))), start=2):
        try:
            lunch = (row.get("lunch") or "").strip()
            halls.append({
                "code": (row.get("code") or "").strip(), "name": (row.get("name") or "").strip(),
                "level": (row.get("level") or "").strip(), "town": (row.get("town") or "").strip() or None,
                "address": (row.get("address") or "").strip(), "lat": float(row["lat"]), "lng": float(row["lng"]),
                "phone": (row.get("phone") or "").strip() or None, "opening_hours": parse_hours(row.get("hours")),
                "lunch": lunch.split("-") if lunch else None})
        except (KeyError, TypeError, ValueError) as exc:
            raise ImportProblems(f"CSV 第 {number} 行: {exc}") from exc
    return halls


def _hall_values(entry: dict) -> dict:
    values = {k: entry[k] for k in ("code", "name", "level", "town", "address", "lat", "lng", "phone",
                                    "opening_hours", "active") if k in entry}
    if "lunch" in entry:
        lunch = entry["lunch"]
        if lunch is not None and not (isinstance(lunch, list) and len(lunch) == 2):
            raise SetupInvalid("lunch 应为 [\"12:00\", \"14:00\"] 或 null", errors={"lunch": ["格式不正确"]})
        values["lunch_start"], values["lunch_end"] = (lunch or (None, None))
    missing = [k for k in ("code", "name", "level", "address", "lat", "lng", "opening_hours") if not values.get(k)
               and values.get(k) != 0]
    if missing:
        raise SetupInvalid(f"缺少字段 {', '.join(missing)}", errors={k: ["必填"] for k in missing})
    return values


def _import_hall(session: Session, clock, entry: dict) -> dict:
    values = _hall_values(entry)
    hall = session.scalar(select(Hall).where(Hall.code == values["code"]))
    created = hall is None
    if created:
        hall = setup.create_hall(session, clock, SYSTEM, values)
    else:
        setup.update_hall(session, clock, SYSTEM, hall.id, {k: v for k, v in values.items() if k != "code"})
    queues = {q.prefix: q for q in session.scalars(select(HallQueue).where(HallQueue.hall_id == hall.id))}
    linked = 0
    for spec in entry.get("queues") or []:
        prefix = spec.get("prefix")
        fields = {k: spec[k] for k in ("name", "general", "places_per_window") if k in spec}
        if prefix in queues:
            setup.update_queue(session, clock, SYSTEM, queues[prefix].id, fields)
        else:
            queues[prefix] = setup.add_queue(session, clock, SYSTEM, hall.id, prefix=prefix,
                                             name=spec.get("name") or prefix, general=bool(spec.get("general")),
                                             places_per_window=spec.get("places_per_window"))
        for code in spec.get("items") or []:
            setup.set_hall_item(session, clock, SYSTEM, hall.id, str(code), queues[prefix].id)
            linked += 1
    windows = {w.number: w for w in session.scalars(select(Window).where(Window.hall_id == hall.id))}
    for spec in entry.get("windows") or []:
        unknown = [p for p in spec.get("queues") or [] if p not in queues]
        if unknown or not spec.get("queues"):
            raise SetupInvalid(f"窗口 {spec.get('number')} 服务的队列 {unknown or '（无）'} 不存在",
                               errors={"windows": ["queues 应为本大厅队列的前缀"]})
        queue_ids = [queues[p].id for p in spec["queues"]]
        fields = {k: spec[k] for k in ("name", "kind", "active") if k in spec}
        number = str(spec.get("number") or "")
        if number in windows:
            setup.update_window(session, clock, SYSTEM, windows[number].id, dict(fields, queue_ids=queue_ids))
        else:
            windows[number] = setup.add_window(session, clock, SYSTEM, hall.id, number=number,
                                               name=spec.get("name") or f"{number}号窗口",
                                               kind=spec.get("kind", "general"), queue_ids=queue_ids,
                                               active=spec.get("active", True))
    return {"code": hall.code, "created": created, "queues": len(queues), "windows": len(windows),
            "items_linked": linked}


def import_halls(session: Session, clock, halls: list[dict]) -> list[dict]:
    """All or nothing: raises ImportProblems naming every hall that failed."""
    results, problems = [], []
    for index, entry in enumerate(halls, start=1):
        label = entry.get("code") or f"#{index}"
        try:
            with session.begin_nested():
                results.append(_import_hall(session, clock, entry))
        except DomainError as exc:
            fields = "; ".join(f"{k}: {', '.join(v)}" for k, v in (exc.errors or {}).items())
            problems.append(f"{label}: {exc.detail}" + (f" ({fields})" if fields else ""))
        except (TypeError, ValueError, AttributeError) as exc:
            problems.append(f"{label}: {exc}")
    if problems:
        raise ImportProblems("；".join(problems))
    return results


def export_halls(session: Session) -> dict:
    halls = []
    for hall in session.scalars(select(Hall).order_by(Hall.id)):
        queues = list(session.scalars(select(HallQueue).where(HallQueue.hall_id == hall.id).order_by(HallQueue.prefix)))
        prefix = {q.id: q.prefix for q in queues}
        items: dict[int, list[str]] = {}
        for code, queue_id in session.execute(select(HallItem.item_code, HallItem.queue_id)
                                              .where(HallItem.hall_id == hall.id).order_by(HallItem.item_code)):
            items.setdefault(queue_id, []).append(code)
        windows = list(session.scalars(select(Window).where(Window.hall_id == hall.id).order_by(Window.number)))
        served = setup.served_queue_ids(session, [w.id for w in windows])
        halls.append({
            "code": hall.code, "name": hall.name, "level": hall.level, "town": hall.town, "address": hall.address,
            "lat": hall.lat, "lng": hall.lng, "phone": hall.phone, "opening_hours": hall.opening_hours,
            "lunch": [hall.lunch_start, hall.lunch_end] if hall.lunch_start else None, "active": hall.active,
            "queues": [{"prefix": q.prefix, "name": q.name, "general": q.general,
                        "places_per_window": q.places_per_window, "items": items.get(q.id, [])} for q in queues],
            "windows": [{"number": w.number, "name": w.name, "kind": w.kind, "active": w.active,
                         "queues": [prefix[i] for i in served.get(w.id, []) if i in prefix]} for w in windows]})
    return {"halls": halls}
