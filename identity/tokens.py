"""Access tokens (JWT, short-lived) and refresh tokens (opaque, single-use).

Access tokens are signed with the active key and carry its `kid`; every key in
JWT_SIGNING_KEYS is accepted, so a key can be rotated in without logging
anyone out, and retired once its last tokens have expired. Logout puts the
token's id on a deny-list (Redis, backed by the database: see denylist.py)
until the token would have expired anyway.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

import jwt
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from mobile_api.actor import Actor
from mobile_api.uow import commit_point, working

from .denylist import DenyList
from .errors import RefreshTokenReused, TokenExpired, TokenInvalid, TokenRevoked
from .models import RefreshToken

ISSUER = "fingertip"
ALGORITHM = "HS256"
# A named commit point: the refresh is refused (401), but the revocation of
# the stolen token's family must stand.
_REUSE_REVOKES = "a reused refresh token revokes its whole family although the refresh is refused"


@dataclass
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int
    token_type: str = "Bearer"


# Staff and kiosks log in at a window or a kiosk whatever their client says.
_FIXED_CHANNELS = {"staff": "window", "kiosk": "kiosk"}


def login_channel_of(actor: Actor) -> str | None:
    """The channel a new token's session is bound to (claim `chn`). A citizen's
    comes from the login endpoint it used (the WeChat account's channel, kept
    on the refresh token for later refreshes), never from a request header."""
    return _FIXED_CHANNELS.get(actor.kind, actor.channel if actor.kind == "citizen" else None)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class TokenService:
    def __init__(self, config, clock, redis, database=None):
        self.keys: dict[str, str] = config.JWT_SIGNING_KEYS
        self.active_kid: str = config.JWT_ACTIVE_KID
        self.access_ttl = int(config.ACCESS_TOKEN_TTL_SECONDS)
        self.refresh_ttl = int(config.REFRESH_TOKEN_TTL_SECONDS)
        self.clock = clock
        self.redis = redis
        self.denylist = DenyList(redis, database, clock, self.access_ttl)

    # -- access tokens -------------------------------------------------
    def issue_access(self, actor: Actor, extra: dict | None = None) -> str:
        now = self.clock.now()
        claims = {
            "iss": ISSUER,
            "sub": actor.subject,
            "role": actor.role,
            "jti": uuid.uuid4().hex,
            "iat": int(now.timestamp()),
            "exp": int((now + timedelta(seconds=self.access_ttl)).timestamp()),
            "typ": "access",
        }
        login_channel = login_channel_of(actor)
        if login_channel:
            claims["chn"] = login_channel
        if actor.department_code:
            claims["dept"] = actor.department_code
        if actor.hall_id is not None:
            claims["hall"] = actor.hall_id
        if extra:
            claims.update(extra)
        return jwt.encode(claims, self.keys[self.active_kid], algorithm=ALGORITHM,
                          headers={"kid": self.active_kid})

    def decode_access(self, token: str, expected_typ: str = "access") -> dict:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise TokenInvalid("令牌格式不正确") from exc
        key = self.keys.get(header.get("kid", ""))
        if key is None:
            raise TokenInvalid("令牌的签名密钥未知")
        try:
            claims = jwt.decode(token, key, algorithms=[ALGORITHM], issuer=ISSUER,
                                options={"require": ["exp", "iat", "sub", "jti"], "verify_exp": False,
                                         "verify_iat": False, "verify_nbf": False})
        except jwt.PyJWTError as exc:
            raise TokenInvalid("令牌签名无效") from exc
        # Time claims are checked against the injected clock, not the wall clock.
        now = self.clock.now().timestamp()
        if claims["iat"] > now + 60:
            raise TokenInvalid("令牌签发时间不正确")
        if claims["exp"] <= now:
            raise TokenExpired("登录已过期，请刷新令牌或重新登录")
        if claims.get("typ") != expected_typ:
            raise TokenInvalid("令牌类型不正确")
        if self.denylist.is_refused(claims):
            raise TokenRevoked("令牌已注销，请重新登录")
        return claims

    def deny(self, claims: dict, session: Session | None = None) -> None:
        """Refuse this access token from now on. In the caller's transaction
        when a session is given (the caller commits), otherwise in its own."""
        if session is not None:
            self.denylist.deny_token(session, claims["jti"], claims["exp"])
            return
        with self.denylist.database.new_session() as own, working(own, self.clock, name="deny-list entry"):
            self.denylist.deny_token(own, claims["jti"], claims["exp"])

    def revoke_access_for(self, session: Session, kind: str, principal_id: int) -> None:
        """Refuse every access token of this principal issued until now (the caller commits)."""
        self.denylist.revoke_principal(session, kind, principal_id)

    # -- refresh tokens ------------------------------------------------
    def _new_refresh(self, session: Session, kind: str, principal_id: int, family_id: str,
                     channel: str | None) -> tuple[str, RefreshToken]:
        raw = secrets.token_urlsafe(32)
        now = self.clock.now()
        row = RefreshToken(token_hash=_hash(raw), family_id=family_id, principal_kind=kind,
                           principal_id=principal_id, channel=channel, issued_at=now,
                           expires_at=now + timedelta(seconds=self.refresh_ttl))
        session.add(row)
        session.flush()
        return raw, row

    def issue_pair(self, session: Session, actor: Actor) -> TokenPair:
        """A new login: a new refresh-token family. The unit of work commits."""
        raw, _ = self._new_refresh(session, actor.kind, actor.id, str(uuid.uuid4()), actor.channel)
        return TokenPair(self.issue_access(actor), raw, self.access_ttl)

    def rotate(self, session: Session, raw: str, load_actor) -> tuple[TokenPair, RefreshToken]:
        """Spend a refresh token and issue the next one in its family.

        The spend is a conditional UPDATE, so two concurrent refreshes with the
        same token cannot both succeed. The unit of work commits."""
        now = self.clock.now()
        row = session.scalar(select(RefreshToken).where(RefreshToken.token_hash == _hash(raw)))
        if row is None:
            raise TokenInvalid("刷新令牌无效")
        if row.revoked_at is not None or row.used_at is not None:
            self.revoke_family(session, row.family_id)
            commit_point(session, _REUSE_REVOKES)
            raise RefreshTokenReused("刷新令牌已被使用过，为安全起见本次登录已全部失效，请重新登录")
        if row.expires_at <= now:
            raise TokenExpired("刷新令牌已过期，请重新登录")
        spent = session.execute(
            update(RefreshToken).where(RefreshToken.id == row.id, RefreshToken.used_at.is_(None),
                                       RefreshToken.revoked_at.is_(None)).values(used_at=now))
        if spent.rowcount != 1:
            # Spent by a concurrent refresh in between: a reuse like the one above.
            self.revoke_family(session, row.family_id)
            commit_point(session, _REUSE_REVOKES)
            raise RefreshTokenReused("刷新令牌已被使用过，为安全起见本次登录已全部失效，请重新登录")
        actor = load_actor(row.principal_kind, row.principal_id, row.channel)
        new_raw, new_row = self._new_refresh(session, row.principal_kind, row.principal_id, row.family_id,
                                             row.channel)
        session.execute(update(RefreshToken).where(RefreshToken.id == row.id).values(replaced_by_id=new_row.id))
        return TokenPair(self.issue_access(actor), new_raw, self.access_ttl), row

    def revoke_family(self, session: Session, family_id: str) -> int:
        result = session.execute(update(RefreshToken)
                                 .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
                                 .values(revoked_at=self.clock.now()))
        return result.rowcount

    def revoke_by_raw(self, session: Session, raw: str, kind: str, principal_id: int) -> bool:
        row = session.scalar(select(RefreshToken).where(RefreshToken.token_hash == _hash(raw)))
        if row is None or row.principal_kind != kind or row.principal_id != principal_id:
            return False
        self.revoke_family(session, row.family_id)
        return True

    def revoke_all_for(self, session: Session, kind: str, principal_id: int) -> int:
        result = session.execute(update(RefreshToken)
                                 .where(RefreshToken.principal_kind == kind, RefreshToken.principal_id == principal_id,
                                        RefreshToken.revoked_at.is_(None))
                                 .values(revoked_at=self.clock.now()))
        return result.rowcount


def hash_secret(secret: str) -> str:
    return _hash(secret)

