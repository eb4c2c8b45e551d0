"""Login rate limits that survive Redis being down.

flask-limiter keeps its counters in Redis and, when Redis is unreachable,
lets requests through rather than fail every request of the API. For the
doors where passwords and secrets are guessed (staff login, kiosk token,
refresh) that would be an open door, so these views also carry
`@limited_in_database_when_redis_down(SETTING)`: while Redis answers it does
nothing (flask-limiter counts); when Redis does not, it counts the attempt in
the database (one upsert, shared by every process) with the same fixed window
and the same limit, and answers 429 with Retry-After past it. Staff lockout
after repeated wrong passwords is kept in the database anyway.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from functools import wraps

import limits
from flask import current_app, request
from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert

from mobile_api.uow import working
from mobile_api.errors import TooManyRequests
from mobile_api.ratelimit import client_ip

from .denylist import REDIS_DOWN
from .models import LoginCounter

log = logging.getLogger("identity.login_limits")


def redis_is_down(redis) -> bool:
    try:
        redis.ping()
    except REDIS_DOWN:
        return True
    return False


def window_start(now: datetime, seconds: int) -> datetime:
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, timezone.utc)


def count_attempt(database, scope: str, client_key: str, now: datetime, seconds: int) -> int:
    """Add one attempt to this client's current window; the count so far. Own
    transaction, committed at once, so a failed login still counts."""
    start = window_start(now, seconds)
    with database.new_session() as session, working(session, None, name="login attempt counter"):
        statement = insert(LoginCounter).values(scope=scope, client_key=client_key[:128],
                                                window_start=start, hits=1)
        statement = statement.on_conflict_do_update(
            index_elements=["scope", "client_key", "window_start"],
            set_={"hits": LoginCounter.hits + 1}).returning(LoginCounter.hits)
        hits = session.execute(statement).scalar_one()
        # Windows that ended long ago are of no use to anyone.
        session.execute(delete(LoginCounter).where(LoginCounter.window_start < start - timedelta(days=1)))
    return hits


def limited_in_database_when_redis_down(setting: str):
    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            app = current_app
            if app.config.get("RATELIMIT_ENABLED", True) and redis_is_down(app.extensions["redis"]):
                limit = limits.parse(app.config[setting])
                seconds = limit.get_expiry()
                now = app.extensions["clock"].now()
                hits = count_attempt(app.extensions["db"], f"{request.endpoint}:{setting}", client_ip(), now,
                                     seconds)
                if hits > limit.amount:
                    log.warning("login rate limit reached (database fallback)", extra={"endpoint": request.endpoint})
                    retry = seconds - int(now.timestamp()) % seconds
                    raise TooManyRequests("请求过于频繁，请稍后再试", retry_after=max(1, retry))
            return view(*args, **kwargs)

        return wrapper

    return decorator
