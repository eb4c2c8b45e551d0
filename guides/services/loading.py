"""The sample catalogue shipped in guides/data: read, validate, bulk-load.

`load_sample_catalogue(session, clock)` is what `flask seed`, `flask guides
load` and other packages' tests call. Files are parsed and validated once per
process (cached on their modification times), and rows go in with a few
multi-row INSERTs, so a test can load 200+ items in a fraction of a second.
It does not commit: `flask seed` and `flask guides load` commit through their
unit of work, a test commits itself.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from mobile_api import audit
from mobile_api.actor import SYSTEM

from ..convert import item_row_values, material_row_values
from ..errors import CatalogueDataError
from ..models import Department, LifeEvent, Material, ServiceItem, Theme
from ..validation import DEPARTMENT_NUMBERS, LIFE_EVENTS, check_item
from .publishing import next_catalogue_version

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


@dataclass
class SampleData:
    departments: dict[str, dict] = field(default_factory=dict)
    items: list[tuple[str, dict]] = field(default_factory=list)  # (department code, item)
    themes: list[dict] = field(default_factory=list)
    life_events: list[dict] = field(default_factory=list)


_cache: dict[tuple, SampleData] = {}


def _read_json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CatalogueDataError(f"{path.name}: 无法读取 JSON（{exc}）") from exc


def _files(data_dir: Path) -> list[Path]:
    files = sorted((data_dir / "items").glob("*.json"))
    files += [p for p in (data_dir / "departments.json", data_dir / "themes.json", data_dir / "life_events.json")
              if p.exists()]
    return files


def read_sample_data(data_dir: Path = DATA_DIR) -> SampleData:
    """Parse and validate every seed file; raise `CatalogueDataError` naming
    each file, item and rule that is broken."""
    files = _files(data_dir)
    key = tuple((str(p), p.stat().st_mtime_ns) for p in files)
    if key in _cache:
        return _cache[key]
    data = SampleData()
    problems: list[str] = []
    departments_file = data_dir / "departments.json"
    if departments_file.exists():
        for dept in _read_json(departments_file)["departments"]:
            data.departments[dept["code"]] = dept
    seen: dict[str, str] = {}
    for path in sorted((data_dir / "items").glob("*.json")):
        document = _read_json(path)
        dept = document.get("department") or {}
        dept_code = dept.get("code")
        if dept_code != path.stem or dept_code not in DEPARTMENT_NUMBERS:
            problems.append(f"{path.name}: department.code 应与文件名一致且为已知部门")
            continue
        data.departments[dept_code] = dict(data.departments.get(dept_code, {}), **dept)
        for item in document.get("items") or []:
            for violation in check_item(item, dept_code):
                problems.append(f"{path.name}: {violation}")
            code = item.get("code")
            if code in seen:
                problems.append(f"{path.name}: 事项 {code}：编码与 {seen[code]} 中的事项重复")
            seen[code] = path.name
            data.items.append((dept_code, item))
    if (data_dir / "life_events.json").exists():
        data.life_events = _read_json(data_dir / "life_events.json")["life_events"]
        problems += check_life_events(data.life_events, seen)
    if (data_dir / "themes.json").exists():
        data.themes = _read_json(data_dir / "themes.json")["themes"]
        for theme in data.themes:
            for code in (c for stage in theme["stages"] for c in stage):
                if code not in seen:
                    problems.append(f"themes.json: 主题“{theme['name']}”的成员事项 {code} 不存在")
    if problems:
        raise CatalogueDataError("示例数据有 %d 处问题：\n%s" % (len(problems), "\n".join(problems)))
    _cache.clear()
    _cache[key] = data
    return data


def check_life_events(events: list[dict], item_codes) -> list[str]:
    """The concept map must name known events and existing items, with an
    English name and the phrases search expands from."""
    problems = []
    for event in events:
        where = f"life_events.json: 事件“{event.get('name')}”"
        if event.get("name") not in LIFE_EVENTS:
            problems.append(f"{where}：未知的事件")
        if not isinstance(event.get("name_en"), str) or not event["name_en"].strip():
            problems.append(f"{where}：缺少英文名称 name_en")
        phrases = event.get("phrases")
        if not isinstance(phrases, list) or not phrases or not all(isinstance(p, str) and p.strip() for p in phrases):
            problems.append(f"{where}：phrases 应为非空字符串列表")
        codes = event.get("items")
        if not isinstance(codes, list) or not codes:
            problems.append(f"{where}：items 应为事项编码列表")
            continue
        problems += [f"{where}：事项 {code} 不存在" for code in codes if code not in item_codes]
    return problems


def load_sample_catalogue(session: Session, clock, data_dir: Path = DATA_DIR) -> dict:
    """Load departments, items, themes and life events if the catalogue is
    empty; return a summary. Commits."""
    return load_catalogue_data(session, clock, read_sample_data(data_dir))


def load_catalogue_data(session: Session, clock, data: SampleData) -> dict:
    """Bulk-load already validated catalogue data into an empty catalogue."""
    if session.scalar(select(ServiceItem.id).limit(1)) is not None:
        return {"loaded": False, "reason": "目录已有事项"}
    now = clock.now()
    existing = set(session.scalars(select(Department.code)))
    columns = ("code", "number", "name", "name_en", "short_name", "credit_code", "consult_phone", "complaint_phone")
    new_departments = [{c: d.get(c) for c in columns} for code, d in data.departments.items() if code not in existing]
    if new_departments:
        session.execute(insert(Department), new_departments)
    version = next_catalogue_version(session)
    rows = [dict(item_row_values(item, dept), revision=1, status="published", version=version,
                 created_at=now, updated_at=now, published_at=now, created_by="system", published_by="system")
            for dept, item in data.items]
    materials = []
    if rows:
        ids = session.execute(insert(ServiceItem).returning(ServiceItem.id, sort_by_parameter_order=True),
                              rows).scalars().all()
        for item_id, (_, item) in zip(ids, data.items):
            materials.extend(dict(values, item_id=item_id) for values in material_row_values(item))
    if materials:
        session.execute(insert(Material), materials)
    known_themes = set(session.scalars(select(Theme.id)))
    themes = [{"id": t["id"], "name": t["name"], "name_en": t.get("name_en"), "kind": t["kind"], "description": t["description"],
               "position": i, "keywords": t.get("keywords", []), "stages": t["stages"]}
              for i, t in enumerate(data.themes) if t["id"] not in known_themes]
    if themes:
        session.execute(insert(Theme), themes)
    known_events = set(session.scalars(select(LifeEvent.code)))
    events = [{"code": e["code"], "name": e["name"], "name_en": e.get("name_en"), "kind": e["kind"], "position": i,
               "description": e["description"], "description_en": e.get("description_en"),
               "phrases": e.get("phrases", []), "item_codes": e.get("items", [])}
              for i, e in enumerate(data.life_events) if e["code"] not in known_events]
    if events:
        session.execute(insert(LifeEvent), events)
    summary = {"loaded": True, "version": version, "departments": len(new_departments), "items": len(rows),
               "materials": len(materials), "themes": len(themes), "life_events": len(events)}
    audit.record(session, SYSTEM, "guides.catalogue_load", "catalogue", version, summary, at=now)
    return summary


def seed(session: Session, clock, app) -> dict:
    """The `flask seed` hook (`flask seed` commits each seeder's unit of work)."""
    return load_sample_catalogue(session, clock)
