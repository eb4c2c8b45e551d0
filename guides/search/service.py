"""The search use case: filters, ranking, paging, suggestions, language."""

from __future__ import annotations

import html

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import BadQuery
from ..i18n import localise_summary
from ..models import Department, LifeEvent, Theme
from .index import SearchIndex

FILTERS = ("department", "theme", "life_event", "channel", "online_depth", "max_visits")
SUGGESTED_EVENTS = 3


def _event_codes(event: LifeEvent, index: SearchIndex) -> set[int]:
    """An event's items: its concept map plus the items that name it."""
    found = {index.by_code[c] for c in event.item_codes or [] if c in index.by_code}
    found |= set(index.by_life_event.get(event.name, ()))
    return found


def _allowed(session: Session, index: SearchIndex, args: dict) -> set[int] | None:
    """Indexes of the documents the filters let through (None: no filter)."""
    if not any(name in args for name in FILTERS):
        return None
    if "department" in args and session.get(Department, args["department"]) is None:
        raise BadQuery(f"未知的部门：{args['department']}", errors={"department": ["部门不存在"]})
    if "theme" in args and session.get(Theme, args["theme"]) is None:
        raise BadQuery(f"未知的主题：{args['theme']}", errors={"theme": ["主题不存在"]})
    in_event = None
    if "life_event" in args:
        event = session.scalar(select(LifeEvent).where(
            (LifeEvent.code == args["life_event"]) | (LifeEvent.name == args["life_event"])))
        if event is None:
            raise BadQuery(f"未知的人生事件：{args['life_event']}", errors={"life_event": ["事件不存在"]})
        in_event = _event_codes(event, index)
    allowed = set()
    for i, doc in enumerate(index.docs):
        if "department" in args and doc.department_code != args["department"]:
            continue
        if "theme" in args and args["theme"] not in doc.themes:
            continue
        if in_event is not None and i not in in_event:
            continue
        if "channel" in args and args["channel"] not in doc.channels:
            continue
        if "online_depth" in args and doc.online_depth != args["online_depth"]:
            continue
        if "max_visits" in args and doc.visits_required > args["max_visits"]:
            continue
        allowed.add(i)
    return allowed


def _suggestion(text, kind, item_code=None, theme_id=None, life_event_code=None) -> dict:
    return {"text": text, "kind": kind, "item_code": item_code, "theme_id": theme_id,
            "life_event_code": life_event_code}


def _fallback_suggestions(session: Session, language: str) -> list[dict]:
    """The top life events (the app's 一件事 entry page), then themes: a
    citizen who found nothing still has somewhere to go."""
    out = [_suggestion((e.name_en or e.name) if language == "en" else e.name, "life_event", life_event_code=e.code)
           for e in session.scalars(select(LifeEvent).order_by(LifeEvent.position).limit(SUGGESTED_EVENTS))]
    out += [_suggestion((t.name_en or t.name) if language == "en" else t.name, "theme", theme_id=t.id)
            for t in session.scalars(select(Theme).order_by(Theme.position).limit(3))]
    return out


def _item_suggestions(index: SearchIndex, found: list[dict], language: str) -> list[dict]:
    out = []
    for s in found:
        position = index.by_code.get(s["item_code"])
        text = s["text"]
        if language == "en" and position is not None:
            text = index.docs[position].name_en or text
        out.append(_suggestion(text, "item", item_code=s["item_code"]))
    return out


def _event_refs(session: Session, codes: list[str], language: str) -> list[dict]:
    if not codes:
        return []
    events = {e.code: e for e in session.scalars(select(LifeEvent).where(LifeEvent.code.in_(codes)))}
    return [{"code": c, "name": (events[c].name_en or events[c].name) if language == "en" else events[c].name}
            for c in codes if c in events]


def search_items(session: Session, index: SearchIndex, args: dict, language: str = "zh") -> tuple[dict, int]:
    """One page of ranked results and the total; with no `q`, the filtered
    catalogue in code order. A query that matches nothing answers with
    `matched: false` and suggestions, never a bare empty list."""
    allowed = _allowed(session, index, args)
    page, page_size = args.get("page", 1), args.get("page_size", 20)
    query = (args.get("q") or "").strip()
    suggestions: list[dict] = []
    expansions: list[str] = []
    events: list[str] = []
    start = (page - 1) * page_size
    if query:
        result = index.search(query, allowed)
        total = result.total
        rows = [dict(localise_summary(hit.doc.summary, language), score=hit.score, matched=hit.matched,
                     name_highlighted=hit.name_en_highlighted if language == "en" else hit.name_highlighted)
                for hit in result.page(start, page_size)]
        expansions, events = result.expansions, result.events
        if not total:
            suggestions = _item_suggestions(index, result.suggestions, language)
            suggestions += _fallback_suggestions(session, language)
    else:
        docs = index.docs if allowed is None else [index.docs[i] for i in sorted(allowed)]
        total = len(docs)
        rows = [dict(localise_summary(doc.summary, language), score=None, matched=[],
                     name_highlighted=html.escape(doc.name_en or doc.name if language == "en" else doc.name))
                for doc in docs[start:start + page_size]]
    body = {"query": query or None, "total": total, "items": rows, "matched": total > 0 or not query,
            "suggestions": suggestions, "expansions": expansions, "catalogue_version": index.version,
            "life_events": _event_refs(session, events, language), "language": language}
    return body, total
