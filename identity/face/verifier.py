"""The FaceVerifier interface: one face check, two implementations.

- `local` (identity.face.local.LocalFaceVerifier): a challenge of head
  movements, frames checked with face-recognition on our own servers, matched
  against the reference template enrolled at a kiosk or window. A deterrent
  against simple tricks, not a certified presentation-attack detector.
- `wechat` (wechat.face_verify.WeChatFaceVerifier, in the wechat package):
  WeChat's certified 人脸核身 (getVerifyId → wx.requestFacialVerify →
  queryVerifyInfo).

Which one a citizen uses depends on the channel its session logged in
through (the access token's `chn` claim, `Actor.login_channel`), never on the
X-Client-Channel header a client may send or omit:
IDENTITY_FACE_VERIFIER_BY_CHANNEL (default kiosk/window/app: local,
miniprogram: wechat). Implementations register a factory by method name.
Whichever passes calls `identity.real_name.mark_verified` and issues the
step-up token through `complete_pass`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Callable

from sqlalchemy.orm import Session

from mobile_api.actor import Actor

from ..stepup import issue_step_up_token


@dataclass
class FaceCheckResult:
    passed: bool
    method: str
    score: float | None = None
    reasons: list[str] = field(default_factory=list)
    attempt_id: int | None = None
    step_up_token: str | None = None
    step_up_expires_in: int | None = None
    failures_left: int | None = None


class FaceVerifier(ABC):
    """`start` prepares a check (a challenge, a verify id) and returns what the
    client needs; `finish` decides it from what the client sends back."""

    method: str = ""

    @abstractmethod
    def start(self, session: Session, actor: Actor, clock) -> dict:
        ...

    @abstractmethod
    def finish(self, session: Session, actor: Actor, clock, submission: dict) -> FaceCheckResult:
        ...


VerifierFactory = Callable[[object], FaceVerifier]  # factory(app) -> verifier
_factories: dict[str, VerifierFactory] = {}
DEFAULT_METHOD = "local"


def register_face_verifier(method: str, factory: VerifierFactory) -> None:
    _factories[method] = factory


def method_for_channel(config, channel: str | None) -> str:
    return config["IDENTITY_FACE_VERIFIER_BY_CHANNEL"].get(channel or "", DEFAULT_METHOD)


def method_for_session(config, actor: Actor) -> str | None:
    """The method the actor's authenticated session requires; None for a token
    issued before tokens carried their login channel (it must log in again)."""
    if actor.login_channel is None:
        return None
    return method_for_channel(config, actor.login_channel)


def face_verifier_for(app, channel: str | None) -> FaceVerifier:
    method = method_for_channel(app.config, channel)
    factory = _factories.get(method)
    if factory is None:
        raise LookupError(f"no face verifier registered for method {method!r}")
    return factory(app)


def complete_pass(session: Session, tokens, actor: Actor, clock, method: str, ttl_seconds: int) -> tuple[str, int]:
    """After a passed check: the real name becomes verified (if declared) and
    a step-up token is issued. Returns (token, ttl)."""
    from ..real_name import mark_verified, record_for

    if record_for(session, actor.id) is not None:
        mark_verified(session, actor.id, actor, clock, method)
    return issue_step_up_token(tokens, actor, method, ttl_seconds), ttl_seconds
