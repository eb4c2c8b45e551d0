"""Revoked access tokens: Redis is the fast path, PostgreSQL the truth.

A logout denies one token (`jti`); deactivating a staff member or resetting a
password revokes every access token of that principal issued until now. Both
are written to the database in the caller's transaction and to Redis before
it commits; if Redis cannot take the write the change is refused (503), so a
revocation is never recorded in one place only.

Reads ask Redis. While Redis is down they ask the database instead, so a
revoked token is never accepted because the cache is away. After a Redis
restart (or flush) a marker key is missing; the first read then copies the
live revocations from the database back into Redis.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

import redis.exceptions as redis_errors
from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from .models import PrincipalRevocation, RevokedToken

log = logging.getLogger("identity.denylist")

TOKEN_PREFIX = "auth:deny:"
PRINCIPAL_PREFIX = "auth:revoked-before:"
SYNCED_MARKER = "auth:deny:synced"
REDIS_DOWN = (redis_errors.ConnectionError, redis_errors.TimeoutError)


def _upsert_revocation(session: Session, kind: str, principal_id: int, at: datetime) -> None:
    values = {"principal_kind": kind, "principal_id": principal_id, "revoked_at": at}
    statement = insert(PrincipalRevocation).values(**values)
    session.execute(statement.on_conflict_do_update(index_elements=["principal_kind", "principal_id"],
                                                    set_={"revoked_at": at}))


class DenyList:
    def __init__(self, redis, database, clock, access_ttl: int):
        self.redis = redis
        self.database = database
        self.clock = clock
        self.access_ttl = access_ttl

    # -- writes (caller commits) ----------------------------------------
    def deny_token(self, session: Session, jti: str, expires_at: int) -> None:
        now = self.clock.now()
        ttl = int(expires_at - now.timestamp()) + 1
        if ttl <= 0:
            return  # expired already: nothing to refuse
        session.execute(delete(RevokedToken).where(RevokedToken.expires_at < now))  # keep the table small
        session.merge(RevokedToken(jti=jti, expires_at=datetime.fromtimestamp(expires_at, timezone.utc)))
        session.flush()
        self.redis.set(TOKEN_PREFIX + jti, "1", ex=ttl)

    def revoke_principal(self, session: Session, kind: str, principal_id: int) -> None:
        now = self.clock.now()
        _upsert_revocation(session, kind, principal_id, now)
        session.flush()
        # Tokens live at most access_ttl; the key needs to outlive the last of them.
        self.redis.set(f"{PRINCIPAL_PREFIX}{kind}:{principal_id}", int(now.timestamp()), ex=self.access_ttl + 60)

    # -- reads ------------------------------------------------------------
    def is_refused(self, claims: dict) -> bool:
        try:
            return self._refused_in_redis(claims)
        except REDIS_DOWN:
            log.warning("redis unavailable: checking token revocation in the database")
            return self._refused_in_database(claims)

    def _refused_in_redis(self, claims: dict) -> bool:
        synced, denied, revoked_before = self._redis_lookup(claims)
        if not synced:
            self.copy_database_to_redis()
            synced, denied, revoked_before = self._redis_lookup(claims)
        return bool(denied) or (revoked_before is not None and claims["iat"] <= int(revoked_before))

    def _redis_lookup(self, claims: dict):
        pipe = self.redis.pipeline(transaction=False)
        pipe.exists(SYNCED_MARKER)
        pipe.exists(TOKEN_PREFIX + claims["jti"])
        pipe.get(PRINCIPAL_PREFIX + claims["sub"])
        return pipe.execute()

    def _refused_in_database(self, claims: dict) -> bool:
        if self.database is None:  # a bare TokenService (some tests): Redis is all there is
            raise
        kind, _, raw_id = claims["sub"].partition(":")
        with self.database.new_session() as session:
            if session.get(RevokedToken, claims["jti"]) is not None:
                return True
            if not raw_id.isdigit():
                return False
            revoked_at = session.scalar(select(PrincipalRevocation.revoked_at).where(
                PrincipalRevocation.principal_kind == kind, PrincipalRevocation.principal_id == int(raw_id)))
        return revoked_at is not None and claims["iat"] <= int(revoked_at.timestamp())

    def copy_database_to_redis(self) -> int:
        """Put every revocation that still matters back into Redis, then the marker."""
        now = self.clock.now()
        if self.database is None:  # a bare TokenService (some tests): nothing to copy
            self.redis.set(SYNCED_MARKER, "1")
            return 0
        with self.database.new_session() as session:
            tokens = session.execute(select(RevokedToken.jti, RevokedToken.expires_at)
                                     .where(RevokedToken.expires_at > now)).all()
            principals = session.execute(
                select(PrincipalRevocation.principal_kind, PrincipalRevocation.principal_id,
                       PrincipalRevocation.revoked_at)
                .where(PrincipalRevocation.revoked_at > now - timedelta(seconds=self.access_ttl + 60))).all()
        pipe = self.redis.pipeline(transaction=False)
        for jti, expires_at in tokens:
            pipe.set(TOKEN_PREFIX + jti, "1", ex=max(1, int((expires_at - now).total_seconds()) + 1))
        for kind, principal_id, revoked_at in principals:
            remaining = int((revoked_at - now).total_seconds()) + self.access_ttl + 60
            pipe.set(f"{PRINCIPAL_PREFIX}{kind}:{principal_id}", int(revoked_at.timestamp()), ex=max(1, remaining))
        pipe.set(SYNCED_MARKER, "1")
        pipe.execute()
        if tokens or principals:
            log.info("token revocations copied back into redis",
                     extra={"tokens": len(tokens), "principals": len(principals)})
        return len(tokens) + len(principals)
