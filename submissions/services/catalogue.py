"""What this package needs from the catalogue (guides), in one place."""

from __future__ import annotations

from sqlalchemy.orm import Session

from guides.services import get_item_revision, get_published_item, get_theme, merged_materials

from ..errors import ItemNotAvailable

__all__ = ["published_item", "item_of", "get_theme", "merged_materials", "is_id_card"]


def published_item(session: Session, code: str):
    item = get_published_item(session, code) if isinstance(code, str) else None
    if item is None:
        raise ItemNotAvailable(f"事项 {code} 不存在或未发布，不能申办", errors={"item_code": ["事项不存在或未发布"]})
    return item


def item_of(session: Session, application):
    """The item version the application was made against (not today's version)."""
    return get_item_revision(session, application.item_code, application.item_revision)


def is_id_card(material) -> bool:
    return "身份证" in material.name
