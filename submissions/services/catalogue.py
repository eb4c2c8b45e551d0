"""What this package needs from the catalogue (guides), in one place.

An application is handled against the item version it was made for. A
published version (code, revision) never changes — the catalogue publishes a
new revision instead — so its snapshot is kept in a small per-process cache:
every upload, submission and status read needs the item's materials and form,
and loading them (item, materials, department) costs more than the rest of a
typical request.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from sqlalchemy.orm import Session

from guides.services import get_item_revision, get_published_item, get_theme, merged_materials

from ..errors import ItemNotAvailable

__all__ = ["published_item", "item_of", "get_theme", "merged_materials", "is_id_card", "ItemSnapshot"]

_CACHE_SIZE = 4096


@dataclass(frozen=True)
class MaterialSnapshot:
    code: str
    name: str
    required: bool
    condition: str | None
    form: str
    copies: int
    source: str
    shared_waiver: bool
    commitment_allowed: bool


@dataclass(frozen=True)
class ItemSnapshot:
    id: int
    code: str
    revision: int
    version: int | None
    name: str
    department_code: str
    promised_days: int
    statutory_days: int
    in_person_required: bool
    certificate_type: str | None
    postal_delivery: bool
    form_fields: list
    materials: tuple[MaterialSnapshot, ...]


_snapshots: OrderedDict[tuple, ItemSnapshot] = OrderedDict()
_lock = threading.Lock()


def _snapshot(item) -> ItemSnapshot:
    key = (item.id, item.code, item.revision)
    materials = tuple(MaterialSnapshot(m.code, m.name, m.required, m.condition, m.form, m.copies, m.source,
                                       m.shared_waiver, m.commitment_allowed) for m in item.materials)
    snap = ItemSnapshot(item.id, item.code, item.revision, item.version, item.name, item.department_code,
                        item.promised_days, item.statutory_days, item.in_person_required, item.certificate_type,
                        item.postal_delivery, list(item.form_fields or []), materials)
    with _lock:
        _snapshots[key] = snap
        while len(_snapshots) > _CACHE_SIZE:
            _snapshots.popitem(last=False)
    return snap


def published_item(session: Session, code: str) -> ItemSnapshot:
    item = get_published_item(session, code) if isinstance(code, str) else None
    if item is None:
        raise ItemNotAvailable(f"事项 {code} 不存在或未发布，不能申办", errors={"item_code": ["事项不存在或未发布"]})
    return _snapshot(item)


def item_of(session: Session, application) -> ItemSnapshot:
    """The item version the application was made against (not today's version)."""
    key = (application.item_id, application.item_code, application.item_revision)
    with _lock:
        found = _snapshots.get(key)
        if found is not None:
            _snapshots.move_to_end(key)
            return found
    return _snapshot(get_item_revision(session, application.item_code, application.item_revision))


def is_id_card(material) -> bool:
    return "身份证" in material.name
