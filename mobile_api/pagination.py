"""Lists answer one page at a time: `page` and `page_size` in the query, the
totals in an `X-Pagination` header (flask-smorest's convention)."""

from __future__ import annotations

import json
import math

import marshmallow as ma
from sqlalchemy import func, select
from sqlalchemy.orm import Session

MAX_PAGE_SIZE = 100


class PageArgsSchema(ma.Schema):
    """Base of every list endpoint's query schema; unknown parameters are refused."""

    class Meta:
        unknown = ma.RAISE

    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(min=1, max=10_000))
    page_size = ma.fields.Integer(load_default=20, validate=ma.validate.Range(min=1, max=MAX_PAGE_SIZE))


def paginate(session: Session, stmt, page: int, page_size: int):
    """Run `stmt` for one page; returns (rows, total)."""
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = list(session.scalars(stmt.limit(page_size).offset((page - 1) * page_size)))
    return rows, total


def pagination_header(total: int, page: int, page_size: int) -> dict:
    pages = max(1, math.ceil(total / page_size)) if page_size else 1
    meta = {"total": total, "total_pages": pages, "first_page": 1, "last_page": pages, "page": page}
    if page > 1:
        meta["previous_page"] = page - 1
    if page < pages:
        meta["next_page"] = page + 1
    return {"X-Pagination": json.dumps(meta)}


PAGINATION_HEADER_DOC = {
    "X-Pagination": {
        "description": "分页信息 JSON: total, total_pages, page, first_page, last_page, previous_page, next_page",
        "schema": {"type": "string"},
    }
}
