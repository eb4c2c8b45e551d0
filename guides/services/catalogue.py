"""Reading the catalogue: published items, departments, themes, life events,
old versions and the changes since a catalogue version (sync).

Other packages use `get_published_item`, `list_published_items`,
`get_theme`, `merged_materials` and `get_department`; citizens only ever see
rows whose status is `published`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from mobile_api.db import MAX_INTEGER_ID

from ..errors import ItemNotFound, ThemeNotFound, VersionNotFound
from ..models import CatalogueState, Department, LifeEvent, ServiceItem, Theme


def catalogue_version(session: Session) -> int:
    return session.scalar(select(CatalogueState.version).where(CatalogueState.id == 1)) or 0


def get_published_item(session: Session, code: str) -> ServiceItem | None:
    """The current published version of an item, or None."""
    return session.scalar(select(ServiceItem).where(ServiceItem.code == code, ServiceItem.status == "published"))


def require_published_item(session: Session, code: str) -> ServiceItem:
    item = get_published_item(session, code)
    if item is None:
        raise ItemNotFound(f"事项 {code} 不存在或未发布")
    return item


def list_published_items(session: Session) -> list[ServiceItem]:
    stmt = select(ServiceItem).where(ServiceItem.status == "published").order_by(ServiceItem.code)
    return list(session.scalars(stmt))


def list_item_versions(session: Session, code: str) -> list[ServiceItem]:
    rows = list(session.scalars(select(ServiceItem).where(ServiceItem.code == code)
                                .order_by(ServiceItem.revision)))
    if not rows:
        raise ItemNotFound(f"事项 {code} 不存在")
    return rows


# Revisions are INTEGER columns: a larger number cannot name one, and the
# database refuses it (DataError, a 500 if it got that far).
MAX_REVISION = MAX_INTEGER_ID


def get_item_revision(session: Session, code: str, revision: int) -> ServiceItem:
    if not 1 <= revision <= MAX_REVISION:
        raise VersionNotFound(f"事项 {code} 没有第 {revision} 版")
    row = session.scalar(select(ServiceItem).where(ServiceItem.code == code, ServiceItem.revision == revision))
    if row is None:
        raise VersionNotFound(f"事项 {code} 没有第 {revision} 版")
    return row


def get_department(session: Session, code: str) -> Department | None:
    return session.get(Department, code)


def list_departments(session: Session) -> list[Department]:
    return list(session.scalars(select(Department).order_by(Department.number)))


def list_life_events(session: Session) -> list[LifeEvent]:
    return list(session.scalars(select(LifeEvent).order_by(LifeEvent.position)))


def _published_by_code(session: Session, codes: list[str]) -> dict[str, ServiceItem]:
    if not codes:
        return {}
    stmt = select(ServiceItem).where(ServiceItem.code.in_(codes), ServiceItem.status == "published")
    return {item.code: item for item in session.scalars(stmt)}


def _attach_members(session: Session, themes: list[Theme]) -> None:
    """`theme.members`: the published member items in stage order (a retired
    member simply drops out of the theme)."""
    published = _published_by_code(session, sorted({c for t in themes for c in t.member_codes}))
    for theme in themes:
        theme.members = [published[c] for c in theme.member_codes if c in published]


def get_theme(session: Session, theme_id: str) -> Theme | None:
    theme = session.get(Theme, theme_id)
    if theme is not None:
        _attach_members(session, [theme])
    return theme


def require_theme(session: Session, theme_id: str) -> Theme:
    theme = get_theme(session, theme_id)
    if theme is None:
        raise ThemeNotFound(f"主题 {theme_id} 不存在")
    return theme


def list_themes(session: Session) -> list[Theme]:
    themes = list(session.scalars(select(Theme).order_by(Theme.position)))
    _attach_members(session, themes)
    return themes


# -- a theme's merged view --------------------------------------------------

def material_key(name: str) -> str:
    """Materials of different items are the same document when their names
    match once punctuation and the usual qualifiers are dropped."""
    key = name
    for noise in ("（", "）", "(", ")", "申请人", "本人", "有效", "原件", "复印件", " "):
        key = key.replace(noise, "")
    return key


def merged_materials(theme: Theme) -> list[dict]:
    """One list for the whole theme: a document several members ask for
    appears once, with the most copies any member needs, required if any
    member requires it, waived only if every member waives it."""
    merged: dict[str, dict] = {}
    for item in theme.members:
        for m in item.materials:
            key = material_key(m.name)
            entry = merged.get(key)
            if entry is None:
                merged[key] = {
                    "name": m.name, "required": m.required, "condition": m.condition, "form": m.form,
                    "copies": m.copies, "source": m.source, "shared_waiver": m.shared_waiver,
                    "commitment_allowed": m.commitment_allowed, "needed_by": [item.code],
                }
                continue
            if item.code not in entry["needed_by"]:
                entry["needed_by"].append(item.code)
            entry["copies"] = max(entry["copies"], m.copies)
            if m.required and not entry["required"]:
                entry["required"], entry["condition"] = True, None
            entry["shared_waiver"] = entry["shared_waiver"] and m.shared_waiver
            entry["commitment_allowed"] = entry["commitment_allowed"] and m.commitment_allowed
            if m.form == "原件":  # an original serves where a copy would do
                entry["form"] = "原件"
    return list(merged.values())


def merged_form(theme: Theme) -> list[dict]:
    """One application form: a field several members ask for is asked once."""
    fields: dict[str, dict] = {}
    for item in theme.members:
        for field in item.form_fields:
            entry = fields.setdefault(field["name"], dict(field, used_by=[]))
            entry["used_by"].append(item.code)
            entry["required"] = bool(entry.get("required")) or bool(field.get("required"))
    return list(fields.values())


def theme_promised_days(theme: Theme) -> int:
    """Items in one stage run in parallel, stages one after another: the sum
    over stages of the slowest member of each stage."""
    days = {item.code: item.promised_days for item in theme.members}
    return sum(max((days[c] for c in stage if c in days), default=0) for stage in theme.stages)


# -- sync ---------------------------------------------------------------------

@dataclass
class SyncChanges:
    version: int
    items: list[ServiceItem]
    retired: list[str]


def changes_since(session: Session, since: int) -> SyncChanges:
    """Items published and codes retired after catalogue version `since`."""
    version = catalogue_version(session)
    items = list(session.scalars(select(ServiceItem)
                                 .where(ServiceItem.status == "published", ServiceItem.version > since)
                                 .order_by(ServiceItem.version)))
    retired_rows = session.scalars(select(ServiceItem.code)
                                   .where(ServiceItem.status == "retired", ServiceItem.retired_version > since))
    current = {code for code in session.scalars(select(ServiceItem.code).where(ServiceItem.status == "published"))}
    retired = sorted(set(retired_rows) - current)
    return SyncChanges(version=version, items=items, retired=retired)
