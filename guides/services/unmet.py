"""Searches that found nothing, kept so the catalogue team sees unmet demand
(`flask guides unmet --since 7d`).

No personal data: digits (ID numbers, phone numbers, dates, plates), e-mail
addresses and ID-number letters go before anything is stored, the client is
never stored (only a hashed key in Redis for the flood limit, expiring within
the hour), and rows older than `GUIDES_UNMET_RETENTION_DAYS` are deleted once a
day. One client can add at most `GUIDES_UNMET_PER_CLIENT_PER_HOUR` queries an
hour; one row per (query, day) counts repeats, so the table stays small.
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from ..models import UnmetQuery

log = logging.getLogger(__name__)
CITY_TZ = ZoneInfo("Asia/Shanghai")
_EMAIL = re.compile(r"\S+@\S+")
_ID_NUMBER = re.compile(r"\d{6,}[\dxX]?")
_DIGITS = re.compile(r"\d+")
_SPACE = re.compile(r"\s+")


def scrub(query: str) -> str:
    """The query without anything that could identify a person."""
    text = unicodedata.normalize("NFKC", query)
    text = _EMAIL.sub(" ", text)
    text = _ID_NUMBER.sub(" ", text)
    text = _DIGITS.sub(" ", text)
    return _SPACE.sub(" ", text).strip().lower()[:100]


def _client_allowed(redis, client: str, now: datetime, limit: int) -> bool:
    hour = now.strftime("%Y%m%d%H")
    digest = hashlib.sha256(client.encode()).hexdigest()[:24]
    key = f"guides:unmet:{digest}:{hour}"
    pipe = redis.pipeline()
    pipe.incr(key)
    pipe.expire(key, 3600)
    count = pipe.execute()[0]
    return count <= limit


def _purge_once_a_day(session: Session, redis, today: date, retention_days: int) -> None:
    if redis.set(f"guides:unmet:purged:{today.isoformat()}", "1", nx=True, ex=2 * 86400):
        purge(session, today - timedelta(days=retention_days))


def record(session: Session, redis, *, query: str, language: str, client: str, now: datetime,
           per_client_per_hour: int, retention_days: int) -> bool:
    """Count one unmet query; False when it was not recorded (nothing left
    after scrubbing, the client's hourly allowance spent, or Redis down: the
    search answer never depends on this)."""
    text = scrub(query)
    if len(text) < 2:
        return False
    try:
        if not _client_allowed(redis, client, now, per_client_per_hour):
            return False
        today = now.astimezone(CITY_TZ).date()
        _purge_once_a_day(session, redis, today, retention_days)
    except Exception:  # Redis unavailable: skip the log rather than let anyone flood it
        log.warning("unmet query not recorded: redis unavailable", exc_info=True)
        return False
    statement = insert(UnmetQuery).values(query=text, day=today, language=language, count=1,
                                          first_seen_at=now, last_seen_at=now)
    statement = statement.on_conflict_do_update(
        constraint="uq_guide_unmet_queries_query",
        set_={"count": UnmetQuery.count + 1, "last_seen_at": statement.excluded.last_seen_at})
    try:
        with session.begin_nested():
            session.execute(statement)
    except Exception:  # the search answer matters more than its log line
        log.warning("unmet query not recorded", exc_info=True)
        return False
    return True


def purge(session: Session, before: date) -> int:
    """Delete the days before `before`; the number of rows deleted."""
    return session.execute(delete(UnmetQuery).where(UnmetQuery.day < before)).rowcount or 0


@dataclass
class UnmetSummary:
    query: str
    count: int
    days: int
    last_seen_at: datetime
    language: str


def summarise(session: Session, since: date, limit: int = 50) -> list[UnmetSummary]:
    """Unmet queries since a day, most asked first."""
    rows = session.execute(
        select(UnmetQuery.query, func.sum(UnmetQuery.count), func.count(UnmetQuery.id),
               func.max(UnmetQuery.last_seen_at), func.max(UnmetQuery.language))
        .where(UnmetQuery.day >= since).group_by(UnmetQuery.query)
        .order_by(func.sum(UnmetQuery.count).desc(), UnmetQuery.query).limit(limit))
    return [UnmetSummary(q, int(total), int(days), last, lang) for q, total, days, last, lang in rows]


_PERIOD = re.compile(r"^(\d{1,4})([hdw])$")


def parse_period(text: str) -> timedelta:
    """"24h", "7d", "2w" → a timedelta; ValueError otherwise."""
    found = _PERIOD.match(text.strip().lower())
    if not found:
        raise ValueError(text)
    amount, unit = int(found.group(1)), found.group(2)
    return {"h": timedelta(hours=amount), "d": timedelta(days=amount), "w": timedelta(weeks=amount)}[unit]
