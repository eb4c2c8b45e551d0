"""Sample halls (示例数据): one city centre, six town/street centres and six
village/community centres, with queues, windows and the catalogue's items.

Items come from guides' published catalogue (seeded before us, order 10); if
guides is absent, halls are created without items and a rerun adds them.
Queues follow the city's rule: general windows for everything but 公安 and 税务.
"""

from __future__ import annotations

from sqlalchemy import select

from guides import services as guide_services

from .models import Hall, HallItem, HallQueue
from .services.halls import add_queue, add_window, create_hall

WEEKDAYS = {str(d): ["08:30", "17:30"] for d in range(5)}
WITH_SATURDAY = dict(WEEKDAYS, **{"5": ["09:00", "17:00"]})
VILLAGE_HOURS = {str(d): ["09:00", "17:00"] for d in range(5)}

CITY = ("CITY-01", "市民服务中心", None, "市府路 1 号市民服务中心", 23.0205, 113.7518)
TOWNS = [
    ("TOWN-01", "城东街道综合服务中心", "城东街道", "城东街道东湖路 18 号", 23.0362, 113.7820),
    ("TOWN-02", "城南街道综合服务中心", "城南街道", "城南街道鸿福路 66 号", 22.9986, 113.7601),
    ("TOWN-03", "滨江镇综合服务中心", "滨江镇", "滨江镇沿江大道 9 号", 23.0801, 113.6712),
    ("TOWN-04", "松湖镇综合服务中心", "松湖镇", "松湖镇湖景路 3 号", 22.9150, 113.8890),
    ("TOWN-05", "石岭镇综合服务中心", "石岭镇", "石岭镇石岭大道 120 号", 23.1102, 113.8405),
    ("TOWN-06", "青溪镇综合服务中心", "青溪镇", "青溪镇政通路 2 号", 22.8123, 114.0521),
]
VILLAGES = [
    ("VIL-01", "城东街道东湖社区服务中心", "城东街道", "东湖社区文化楼一层", 23.0401, 113.7855),
    ("VIL-02", "城南街道鸿福社区服务中心", "城南街道", "鸿福社区党群服务中心", 22.9951, 113.7633),
    ("VIL-03", "滨江镇海心村服务中心", "滨江镇", "海心村村委会一层", 23.0902, 113.6654),
    ("VIL-04", "松湖镇山水村服务中心", "松湖镇", "山水村村委会", 22.9203, 113.8981),
    ("VIL-05", "石岭镇新围村服务中心", "石岭镇", "新围村文化广场东侧", 23.1188, 113.8377),
    ("VIL-06", "青溪镇土桥社区服务中心", "青溪镇", "土桥社区服务站", 22.8066, 114.0602),
]
SPECIAL_QUEUES = {"gongan": ("B", "公安专窗"), "shuiwu": ("C", "税务专窗")}
WINDOW_COUNTS = {"city": {"A": 12, "B": 4, "C": 4}, "town": {"A": 4, "B": 1, "C": 1}, "village": {"A": 2}}


def _published_items(session) -> list:
    return list(guide_services.list_published_items(session))


def _handles(level: str, item) -> bool:
    if level == "city":
        return True
    if level == "town":
        return item.level in ("town", "village") or bool(item.cross_town)
    return item.level == "village"


def _build_hall(session, clock, spec, level):
    code, name, town, address, lat, lng = spec
    hours = {"city": WITH_SATURDAY, "town": WEEKDAYS, "village": VILLAGE_HOURS}[level]
    hall = create_hall(session, clock, code=code, name=name, level=level, town=town, address=address, lat=lat,
                       lng=lng, opening_hours=hours, phone="12345")
    queues = {"A": add_queue(session, hall, "A", "综合窗口", general=True)}
    for prefix, queue_name in SPECIAL_QUEUES.values():
        if prefix in WINDOW_COUNTS[level]:
            queues[prefix] = add_queue(session, hall, prefix, queue_name)
    number = 1
    for prefix, count in WINDOW_COUNTS[level].items():
        for _ in range(count):
            kind = "general" if prefix == "A" else "special"
            add_window(session, hall, f"{number:02d}", f"{number}号窗口（{queues[prefix].name}）",
                       [queues[prefix]], kind)
            number += 1
    return hall


def seed_halls(session, clock, app=None) -> str:
    existing = {hall.code: hall for hall in session.scalars(select(Hall))}
    specs = [(CITY, "city")] + [(spec, "town") for spec in TOWNS] + [(spec, "village") for spec in VILLAGES]
    created = 0
    for spec, level in specs:
        if spec[0] not in existing:
            existing[spec[0]] = _build_hall(session, clock, spec, level)
            created += 1
    session.flush()
    items = _published_items(session)
    linked = 0
    for hall in existing.values():
        queues = {q.prefix: q for q in session.scalars(select(HallQueue).where(HallQueue.hall_id == hall.id))}
        have = set(session.scalars(select(HallItem.item_code).where(HallItem.hall_id == hall.id)))
        for item in items:
            if item.code in have or not _handles(hall.level, item):
                continue
            prefix = SPECIAL_QUEUES.get(item.department_code, ("A",))[0]
            queue = queues.get(prefix) or queues["A"]
            session.add(HallItem(hall_id=hall.id, item_code=item.code, queue_id=queue.id))
            linked += 1
    note = "" if items else "（办事指南未就绪，未关联事项；指南就绪后重新运行 flask seed）"
    return f"{created} halls created, {linked} hall items linked{note}"
