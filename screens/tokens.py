"""Stream tokens: what a board or a console shows to open its hall's stream.

EventSource cannot send an Authorization header, so the stream takes a short
signed token in the query string (`?token=`) or in the `screens_token`
cookie (HttpOnly, path /api/v1/screens, SameSite=Strict) that minting it sets.
The token names the hall, the principal kind and id, and an expiry by the
service's clock; it is signed with SECRET_KEY (a salt of its own, so no other
signed value of the service passes for one). Being short-lived it is checked
again against the database at every (re)connect: a deactivated board or
staff member gets no stream once their current one ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from itsdangerous import BadSignature, URLSafeSerializer

from .errors import StreamTokenInvalid

COOKIE = "screens_token"
_SALT = "screens.stream-token"
KINDS = ("board", "staff")


@dataclass(frozen=True)
class StreamGrant:
    hall_id: int
    kind: str  # board | staff
    principal_id: int
    expires_at: datetime


def _serializer(secret_key: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret_key, salt=_SALT)


def mint(secret_key: str, now: datetime, seconds: int, hall_id: int, kind: str, principal_id: int) -> tuple[str, datetime]:
    if kind not in KINDS:
        raise ValueError(kind)
    expires = now + timedelta(seconds=seconds)
    token = _serializer(secret_key).dumps({"h": hall_id, "k": kind, "i": principal_id,
                                           "e": int(expires.timestamp())})
    return token, expires


def verify(secret_key: str, now: datetime, token: str | None) -> StreamGrant:
    if not token or len(token) > 512:
        raise StreamTokenInvalid("缺少事件流令牌，请重新登录或重新获取令牌")
    try:
        body = _serializer(secret_key).loads(token)
        grant = StreamGrant(int(body["h"]), str(body["k"]), int(body["i"]),
                            datetime.fromtimestamp(int(body["e"]), now.tzinfo))
    except (BadSignature, KeyError, TypeError, ValueError, OverflowError) as exc:
        raise StreamTokenInvalid("事件流令牌无效，请重新获取") from exc
    if grant.kind not in KINDS:
        raise StreamTokenInvalid("事件流令牌无效，请重新获取")
    if grant.expires_at <= now:
        raise StreamTokenInvalid("事件流令牌已过期，请重新获取")
    return grant
