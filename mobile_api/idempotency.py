"""`Idempotency-Key` for writes a phone may retry on a weak network.

Same key and same request: the first answer again (marked with
`Idempotent-Replayed: true`), whether it was a success or a refusal by the
view (a 4xx from validation or the service). Same key, different request: 422,
whatever the first answer was. A retry while the first is still running: 409.
Answers given before the view runs (401/403, rate limits, 503) are not
recorded: nothing was decided, so the key may be retried. The in-flight marker lives in Redis; the
stored answer lives in the database, so a replay survives a Redis flush.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta
from functools import wraps

from flask import current_app, g, make_response, request
from werkzeug.exceptions import HTTPException
from sqlalchemy import Integer, LargeBinary, String, delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Mapped, mapped_column

from .db import Base, UTCDateTime
from .errors import DomainError, handle_domain_error, handle_http_exception
from .uow import current_uow

_KEY_PATTERN = re.compile(r"^[\x21-\x7e]{8,128}$")
LOCK_SECONDS = 60


class IdempotencyRecord(Base):
    __tablename__ = "idempotency_records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    fingerprint: Mapped[str] = mapped_column(String(64), nullable=False)
    status_code: Mapped[int] = mapped_column(Integer, nullable=False)
    content_type: Mapped[str | None] = mapped_column(String(128))
    location: Mapped[str | None] = mapped_column(String(512))
    body: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True)


class IdempotencyKeyInvalid(DomainError):
    status = 400
    code = "idempotency.key_invalid"
    title = "幂等键格式不正确"


class IdempotencyKeyReused(DomainError):
    status = 422
    code = "idempotency.key_reused"
    title = "幂等键已用于不同的请求"


class IdempotencyInProgress(DomainError):
    status = 409
    code = "idempotency.in_progress"
    title = "相同请求正在处理中"


def check_key(key: str) -> None:
    if not _KEY_PATTERN.match(key):
        raise IdempotencyKeyInvalid("Idempotency-Key 应为 8–128 个可见 ASCII 字符")


def scope_for(key: str) -> str:
    """The key is the client's, per principal: two citizens may pick the same one."""
    actor = g.get("actor")
    subject = actor.subject if actor is not None else f"anon:{request.remote_addr}"
    return hashlib.sha256(f"{subject}\x00{key}".encode()).hexdigest()


def request_fingerprint() -> str:
    digest = hashlib.sha256()
    digest.update(request.method.encode() + b" " + request.path.encode() + b"\x00")
    digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def find_record(db, clock, scope: str) -> IdempotencyRecord | None:
    with db.new_session() as lookup:
        record = lookup.scalar(select(IdempotencyRecord).where(IdempotencyRecord.scope_hash == scope))
    return record if record is not None and record.expires_at > clock.now() else None


def replay_or_refuse(record: IdempotencyRecord, fingerprint: str):
    if record.fingerprint != fingerprint:
        raise IdempotencyKeyReused("此 Idempotency-Key 已用于另一个不同的请求，请换一个新的键")
    response = current_app.response_class(record.body, status=record.status_code, content_type=record.content_type)
    if record.location:
        response.headers["Location"] = record.location
    response.headers["Idempotent-Replayed"] = "true"
    return response


def acquire(redis, scope: str, fingerprint: str) -> None:
    """Mark the request in flight; a second one with the key gets 409 (same
    request) or 422 (another request)."""
    if not redis.set(f"idem:lock:{scope}", fingerprint, nx=True, ex=LOCK_SECONDS):
        holder = redis.get(f"idem:lock:{scope}")
        if holder is not None and holder != fingerprint:
            raise IdempotencyKeyReused("此 Idempotency-Key 已用于另一个不同的请求，请换一个新的键")
        raise IdempotencyInProgress("相同的请求正在处理中，请稍后用同一个键重试")


def release(redis, scope: str) -> None:
    redis.delete(f"idem:lock:{scope}")


def guard(redis, clock, scope: str, fingerprint: str) -> None:
    """Tie the key to the request's unit of work: the in-flight marker is
    released when it has ended (so a retry cannot slip in between the answer
    and the commit of its record), and a refusal is recorded although the
    refused change is rolled back."""
    work = current_uow()
    work.on_end(lambda: release(redis, scope))
    work.on_refusal(lambda session, answer: _store_answer(session, clock, scope, fingerprint, answer))


def finish(clock, scope: str, fingerprint: str, response) -> None:
    """Store a successful answer in the request's unit of work, so it commits
    with the change it answers for (or not at all); refusals are stored by
    the unit of work's refusal path (see `guard`)."""
    if response.status_code < 400:
        _store_answer(current_uow().session, clock, scope, fingerprint, response)


def _store_answer(session, clock, scope: str, fingerprint: str, response) -> None:
    if response.status_code < 500 and not response.direct_passthrough:
        _store(session, clock, scope, fingerprint, response)


def idempotent(view):
    """Decorate a write view (outermost, just under `@require_roles`)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        key = request.headers.get("Idempotency-Key")
        if key is None:
            return view(*args, **kwargs)
        check_key(key)
        db = current_app.extensions["db"]
        redis = current_app.extensions["redis"]
        clock = current_app.extensions["clock"]
        scope, fingerprint = scope_for(key), request_fingerprint()
        record = find_record(db, clock, scope)
        if record is not None:
            return replay_or_refuse(record, fingerprint)
        acquire(redis, scope, fingerprint)
        guard(redis, clock, scope, fingerprint)
        # A refusal is an answer like a success: the unit of work rolls the
        # refused change back and records the answer (see `guard`).
        response = answer_of(view, args, kwargs)
        finish(clock, scope, fingerprint, response)
        return response

    wrapper._idempotent = True  # read by mobile_api.contract to document the header and its answers
    return wrapper


def answer_of(view, args, kwargs):
    """The view's answer, a refusal included: a 4xx is recorded like a 2xx so
    that the key cannot be reused for a different body afterwards."""
    try:
        return make_response(view(*args, **kwargs))
    except DomainError as error:
        if error.status >= 500:
            raise
        return handle_domain_error(error)
    except HTTPException as error:
        if (error.code or 500) >= 500:
            raise
        return handle_http_exception(error)


def _store(session, clock, scope: str, fingerprint: str, response) -> None:
    now = clock.now()
    ttl = timedelta(seconds=current_app.config["IDEMPOTENCY_TTL_SECONDS"])
    session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.scope_hash == scope,
                                                    IdempotencyRecord.expires_at <= now))
    # The Redis marker keeps a second request with the key out; should it
    # have expired meanwhile, the first stored answer stands.
    session.execute(insert(IdempotencyRecord).values(
        scope_hash=scope, fingerprint=fingerprint, status_code=response.status_code,
        content_type=response.content_type, location=response.headers.get("Location"),
        body=response.get_data(), created_at=now, expires_at=now + ttl,
    ).on_conflict_do_nothing(index_elements=["scope_hash"]))
