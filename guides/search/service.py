"""The search use case: filters, ranking, paging, suggestions."""

from __future__ import annotations

import html

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import BadQuery
from ..models import Department, LifeEvent, Theme
from .index import SearchIndex

FILTERS = ("department", "theme", "life_event", "channel", "online_depth", "max_visits")


def _allowed(session: Session, index: SearchIndex, args: dict) -> set[int] | None:
    """Indexes of the documents the filters let through (None: no filter)."""
    if not any(name in args for name in FILTERS):
        return None
    if "department" in args and session.get(Department, args["department"]) is None:
        raise BadQuery(f"未知的部门：{args['department']}", errors={"department": ["部门不存在"]})
    if "theme" in args and session.get(Theme, args["theme"]) is None:
        raise BadQuery(f"未知的主题：{args['theme']}", errors={"theme": ["主题不存在"]})
    event_name = None
    if "life_event" in args:
        event = session.scalar(select(LifeEvent).where(
            (LifeEvent.code == args["life_event"]) | (LifeEvent.name == args["life_event"])))
        if event is None:
            raise BadQuery(f"未知的人生事件：{args['life_event']}", errors={"life_event": ["事件不存在"]})
        event_name = event.name
    allowed = set()
    for i, doc in enumerate(index.docs):
        if "department" in args and doc.department_code != args["department"]:
            continue
        if "theme" in args and args["theme"] not in doc.themes:
            continue
        if event_name is not None and event_name not in doc.life_events:
            continue
        if "channel" in args and args["channel"] not in doc.channels:
            continue
        if "online_depth" in args and doc.online_depth != args["online_depth"]:
            continue
        if "max_visits" in args and doc.visits_required > args["max_visits"]:
            continue
        allowed.add(i)
    return allowed


def _theme_suggestions(session: Session, limit: int = 3) -> list[dict]:
    themes = session.scalars(select(Theme).order_by(Theme.position).limit(limit))
    return [{"text": t.name, "item_code": None, "theme_id": t.id} for t in themes]


def search_items(session: Session, index: SearchIndex, args: dict) -> tuple[dict, int]:
    """One page of ranked results and the total; with no `q`, the filtered
    catalogue in code order."""
    allowed = _allowed(session, index, args)
    page, page_size = args.get("page", 1), args.get("page_size", 20)
    query = (args.get("q") or "").strip()
    suggestions: list[dict] = []
    expansions: list[str] = []
    start = (page - 1) * page_size
    if query:
        result = index.search(query, allowed)
        total = result.total
        rows = [dict(hit.doc.summary, score=hit.score, name_highlighted=hit.name_highlighted, matched=hit.matched)
                for hit in result.page(start, page_size)]
        expansions = result.expansions
        if not total:
            suggestions = [dict(s, theme_id=None) for s in result.suggestions] or _theme_suggestions(session)
    else:
        docs = index.docs if allowed is None else [index.docs[i] for i in sorted(allowed)]
        total = len(docs)
        rows = [dict(doc.summary, score=None, name_highlighted=html.escape(doc.name), matched=[])
                for doc in docs[start:start + page_size]]
    body = {"query": query or None, "total": total, "items": rows,
            "suggestions": suggestions, "expansions": expansions, "catalogue_version": index.version}
    return body, total
