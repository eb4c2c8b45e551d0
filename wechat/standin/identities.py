"""How the stand-in reads codes and derives WeChat identities from them.

A login code is `<user>:<nonce>`: every code of the same `<user>` belongs to
the same WeChat person (same openid per app, same unionid), each nonce makes a
fresh code. A few users are special and make the stand-in answer with an
error (documented in docs/wechat.md).
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass

_CODE = re.compile(r"^(?P<user>[A-Za-z0-9_.\-]{1,64}):(?P<nonce>[\x21-\x7e]{1,64})$")
_ERR_USER = re.compile(r"^err(?P<code>-?\d{1,6})$")
_PHONE_USER = re.compile(r"^1[3-9]\d{9}$")


@dataclass(frozen=True)
class ParsedCode:
    user: str
    nonce: str
    errcode: int | None = None  # err<code> users: answer with this WeChat error
    fault: str | None = None  # timeout | connection | http500


def parse_code(code: str) -> ParsedCode | None:
    match = _CODE.match(code or "")
    if match is None:
        return None
    user, nonce = match.group("user"), match.group("nonce")
    err = _ERR_USER.match(user)
    if err:
        return ParsedCode(user, nonce, errcode=int(err.group("code")))
    if user in ("timeout", "unreachable", "http500"):
        return ParsedCode(user, nonce, fault={"unreachable": "connection"}.get(user, user))
    return ParsedCode(user, nonce)


def _digest(*parts: str) -> bytes:
    return hashlib.sha256("\x00".join(parts).encode("utf-8")).digest()


def openid_for(appid: str, user: str) -> str:
    """Different per app, as WeChat's openids are."""
    return "o" + base64.b32encode(_digest("openid", appid, user)).decode("ascii").rstrip("=")[:27]


def unionid_for(user: str) -> str | None:
    """The same across apps; users named nounion… have none."""
    if user.startswith("nounion"):
        return None
    return "u" + base64.b32encode(_digest("unionid", user)).decode("ascii").rstrip("=")[:27]


def session_key_for(appid: str, user: str, nonce: str) -> str:
    return base64.b64encode(_digest("session_key", appid, user, nonce)[:16]).decode("ascii")


def phone_for(user: str) -> str:
    """A user named like a mainland mobile number has that number."""
    if _PHONE_USER.match(user):
        return user
    number = int.from_bytes(_digest("phone", user)[:8], "big") % 10**8
    return f"139{number:08d}"
