"""Turning published items into index documents, and the per-process holder
that keeps the index current."""

from __future__ import annotations

import gc
import threading
import time

from sqlalchemy import select
from sqlalchemy.orm import Session, lazyload

from ..errors import ItemNotFound
from ..models import CatalogueState, Department, LifeEvent, ServiceItem, Theme
from ..services.catalogue import get_published_item
from .index import CONTEXT, FAQ, KEYWORD, NAME, TOPIC, Doc, SearchIndex


def item_summary(item: ServiceItem, department_name: str, department_name_en: str | None = None) -> dict:
    """The short form of an item in search results and lists (both names:
    `i18n.localise_summary` picks the one a client asked for)."""
    return {
        "code": item.code, "name": item.name, "name_zh": item.name, "name_en": item.name_en or item.name,
        "department_name_en": department_name_en or department_name,
        "department_code": item.department_code, "department_name": department_name, "item_type": item.item_type, "level": item.level,
        "promised_days": item.promised_days, "instant": item.promised_days == 0,
        "visits_required": item.visits_required, "online_depth": item.online_depth,
        "channels": list(item.channels), "appointment_supported": item.appointment_supported,
        "cross_town": item.cross_town, "version": item.version,
    }


def doc_for(item: ServiceItem, department: Department | None, themes: list[Theme]) -> Doc:
    dept_name = department.name if department else item.department_code
    terms_en = [(item.name_en, NAME)] if item.name_en else []
    terms_en += [(k, KEYWORD) for k in item.keywords_en or []]
    if department is not None and department.name_en:
        terms_en.append((department.name_en, CONTEXT))
    terms_en += [(t.name_en, CONTEXT) for t in themes if t.name_en]
    terms = [(item.name, NAME)]
    terms += [(k, KEYWORD) for k in item.keywords]
    terms += [(t, TOPIC) for t in item.topics]
    if item.certificate_type:
        terms.append((item.certificate_type, TOPIC))
    if department is not None:
        terms += [(department.short_name, CONTEXT), (department.name, CONTEXT)]
    for theme in themes:
        terms.append((theme.name, CONTEXT))
        terms += [(k, CONTEXT) for k in theme.keywords]
    terms += [(faq["q"], FAQ) for faq in item.faqs]
    return Doc(code=item.code, name=item.name, version=item.version or 0, department_code=item.department_code,
               channels=frozenset(item.channels), online_depth=item.online_depth,
               visits_required=item.visits_required, life_events=frozenset(item.life_events),
               themes=frozenset(t.id for t in themes), terms=terms, summary=item_summary(item, dept_name, department.name_en if department else None),
               name_en=item.name_en or "", terms_en=terms_en)


def build_index(session: Session) -> SearchIndex:
    version = session.scalar(select(CatalogueState.version).where(CatalogueState.id == 1)) or 0
    departments = {d.code: d for d in session.scalars(select(Department))}
    themes = list(session.scalars(select(Theme)))
    themes_of: dict[str, list[Theme]] = {}
    for theme in themes:
        for code in theme.member_codes:
            themes_of.setdefault(code, []).append(theme)
    # Materials are not indexed: "身份证" is needed by nearly every item.
    items = session.scalars(select(ServiceItem).options(lazyload(ServiceItem.materials), lazyload(ServiceItem.department))
                            .where(ServiceItem.status == "published").order_by(ServiceItem.code))
    docs = [doc_for(item, departments.get(item.department_code), themes_of.get(item.code, [])) for item in items]
    events = [{"code": e.code, "name": e.name, "name_en": e.name_en, "phrases": e.phrases, "item_codes": e.item_codes}
              for e in session.scalars(select(LifeEvent).order_by(LifeEvent.position))]
    return SearchIndex(docs, version, events)


MAX_PAYLOADS = 20_000
GC_FREEZE_MIN_DOCS = 1000


def keep_out_of_gc_scans(size: int) -> None:
    """A large index is long-lived: move it out of the cyclic garbage
    collector's full scans, which otherwise pause searches for hundreds of
    milliseconds at 5,000 items. Unfreezing first lets whatever died since
    the last rebuild (the old index included) be collected, so nothing leaks.
    Small catalogues (tests) are not worth the full collection."""
    if size < GC_FREEZE_MIN_DOCS:
        return
    gc.unfreeze()
    gc.collect()
    gc.freeze()


class IndexHolder:
    """One per process (per app): answers with the index of the newest
    catalogue version, checking the version in the database at most once
    every `check_seconds` and rebuilding when it changed."""

    def __init__(self, check_seconds: float = 1.0, monotonic=time.monotonic):
        self.check_seconds = check_seconds
        self.monotonic = monotonic
        self._index: SearchIndex | None = None
        self._checked_at = float("-inf")
        self._lock = threading.Lock()
        self._payloads: dict[tuple[str, int, str], tuple[str, bytes]] = {}

    def payload(self, session, code: str, dump, language: str = "zh") -> tuple[str, bytes]:
        """(ETag, JSON body) of a published item in a language. A published
        version never changes, so its serialised form is kept per (code,
        version, language); the Chinese ETag is unchanged for old clients."""
        index = self.current(session)
        position = index.by_code.get(code)
        if position is not None:
            cached = self._payloads.get((code, index.docs[position].version, language))
            if cached is not None:
                return cached
        if callable(session):
            session = session()
        item = get_published_item(session, code)  # also finds items newer than this index
        if item is None:
            raise ItemNotFound(f"事项 {code} 不存在或未发布")
        suffix = "" if language == "zh" else f"-{language}"
        entry = (f'"{item.code}-{item.version}{suffix}"', dump(item))
        if len(self._payloads) >= MAX_PAYLOADS:
            self._payloads.clear()
        self._payloads[(item.code, item.version, language)] = entry
        return entry

    def invalidate(self) -> None:
        """This process changed the catalogue: check on the next request."""
        self._checked_at = float("-inf")

    def current(self, session) -> SearchIndex:
        """`session` may be a Session or a function returning one, so that a
        request answered from memory does not even open a session."""
        index = self._index
        now = self.monotonic()
        if index is not None and now - self._checked_at < self.check_seconds:
            return index
        if callable(session):
            session = session()
        version = session.scalar(select(CatalogueState.version).where(CatalogueState.id == 1)) or 0
        if index is not None and index.version == version:
            self._checked_at = now
            return index
        with self._lock:  # one rebuild at a time; the others keep the old index meanwhile
            if self._index is None or self._index.version != version:
                self._index = build_index(session)
                keep_out_of_gc_scans(len(self._index.docs))
            self._checked_at = now
            return self._index


def index_from_data(items: list[tuple[str, dict]], departments: dict[str, dict], themes: list[dict],
                    version: int = 1, life_events: list[dict] | None = None) -> SearchIndex:
    """An index straight from data-shaped items, without a database (unit
    tests, the benchmark's 5,000-item catalogue)."""
    from ..convert import item_row_values

    dept_rows = {code: Department(**{k: d.get(k) for k in ("code", "number", "name", "name_en", "short_name")})
                 for code, d in departments.items()}
    theme_rows = [Theme(id=t["id"], name=t["name"], name_en=t.get("name_en"), kind=t["kind"], description=t["description"], position=i,
                        keywords=t.get("keywords", []), stages=t["stages"]) for i, t in enumerate(themes)]
    themes_of: dict[str, list[Theme]] = {}
    for theme in theme_rows:
        for code in theme.member_codes:
            themes_of.setdefault(code, []).append(theme)
    docs = []
    for dept, data in items:
        item = ServiceItem(**item_row_values(data, dept), version=version, status="published")
        docs.append(doc_for(item, dept_rows.get(dept), themes_of.get(item.code, [])))
    events = [dict(e, item_codes=e.get("items", [])) for e in life_events or []]
    return SearchIndex(docs, version, events)
