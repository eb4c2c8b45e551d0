"""Challenges (single use, about 60 s) and the attempt budget (default 5
failures in 24 hours, then face checks are locked for 24 hours)."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mobile_api import audit
from mobile_api.actor import Actor
from mobile_api.uow import commit_point

from ..access import owns
from .config import FaceConfig
from .consent import require_consent
from .errors import ChallengeExpired, ChallengeNotFound, ChallengeUsed, FaceCheckLocked
from .liveness import random_actions
from .models import FaceChallenge, FaceCheckBudget


def _locked_error(locked_until: datetime, now: datetime) -> FaceCheckLocked:
    retry = int((locked_until - now).total_seconds()) + 1
    hours = max(1, round(retry / 3600))
    return FaceCheckLocked(f"人脸核身失败次数过多, 已锁定, 请约 {hours} 小时后再试, 或到服务窗口办理",
                           headers={"Retry-After": str(retry)})


def ensure_not_locked(session: Session, citizen_id: int, now: datetime) -> None:
    budget = session.get(FaceCheckBudget, citizen_id)
    if budget is not None and budget.locked_until is not None and budget.locked_until > now:
        raise _locked_error(budget.locked_until, now)


def create_challenge(session: Session, actor: Actor, clock, cfg: FaceConfig) -> FaceChallenge:
    now = clock.now()
    require_consent(session, actor.id)
    ensure_not_locked(session, actor.id, now)
    challenge = FaceChallenge(id=secrets.token_hex(16), citizen_id=actor.id,
                              actions=random_actions(list(cfg.allowed_actions), cfg.min_actions, cfg.max_actions),
                              created_at=now, expires_at=now + timedelta(seconds=cfg.challenge_ttl_seconds))
    session.add(challenge)
    session.flush()
    audit.record(session, actor, "identity.face_challenge", "face_challenge", challenge.id,
                 {"actions": challenge.actions}, at=now)
    return challenge


def load_challenge(session: Session, actor: Actor, challenge_id: str, now: datetime) -> FaceChallenge:
    """Someone else's challenge is answered as not found."""
    challenge = session.get(FaceChallenge, challenge_id)
    if challenge is None or not owns(actor, challenge.citizen_id):
        raise ChallengeNotFound("动作挑战不存在, 请重新开始核身")
    if challenge.used_at is not None:
        raise ChallengeUsed("动作挑战已使用, 请重新开始核身")
    if challenge.expires_at <= now:
        raise ChallengeExpired("动作挑战已过期, 请重新开始核身")
    return challenge


def _budget_for_update(session: Session, citizen_id: int) -> FaceCheckBudget:
    stmt = (select(FaceCheckBudget).where(FaceCheckBudget.citizen_id == citizen_id)
            .with_for_update().execution_options(populate_existing=True))
    budget = session.scalar(stmt)
    if budget is None:
        try:
            with session.begin_nested():
                session.add(FaceCheckBudget(citizen_id=citizen_id, failures=0))
        except IntegrityError:
            pass  # created by a parallel attempt: lock that one
        budget = session.scalar(stmt)
    return budget


def reserve_attempt(session: Session, actor: Actor, clock, cfg: FaceConfig, challenge_id: str) -> None:
    """Spend the challenge (exactly once: a conditional UPDATE) and count the
    attempt as a failure until it is settled, under the budget's row lock.
    A named commit point (see below)."""
    now = clock.now()
    budget = _budget_for_update(session, actor.id)
    if budget.locked_until is not None and budget.locked_until > now:
        raise _locked_error(budget.locked_until, now)
    if budget.window_started_at is None or now - budget.window_started_at >= timedelta(
            seconds=cfg.failure_window_seconds):
        budget.failures = 0
        budget.window_started_at = now
    if budget.failures >= cfg.max_failures:  # parallel attempts already hold every slot
        raise FaceCheckLocked("核身尝试过于频繁, 请稍后再试", headers={"Retry-After": "60"})
    spent = session.execute(update(FaceChallenge)
                            .where(FaceChallenge.id == challenge_id, FaceChallenge.citizen_id == actor.id,
                                   FaceChallenge.used_at.is_(None), FaceChallenge.expires_at > now)
                            .values(used_at=now))
    if spent.rowcount != 1:
        raise ChallengeUsed("动作挑战已使用或已过期, 请重新开始核身")
    budget.failures += 1
    # The attempt counts before any face is examined: a request that then
    # fails or dies still spent its challenge and one failure of the budget.
    # It also ends the transaction (and the budget's row lock) before the
    # CPU-bound decision.
    commit_point(session, "a face-check attempt is spent and counted before the frames are examined")


def settle_attempt(session: Session, citizen_id: int, now: datetime, cfg: FaceConfig, failed: bool) -> int:
    """Give the reserved failure back unless the attempt failed; lock when the
    limit is reached. Returns the failures left. Does not commit."""
    budget = _budget_for_update(session, citizen_id)
    if not failed:
        budget.failures = max(0, budget.failures - 1)
    elif budget.failures >= cfg.max_failures:
        budget.locked_until = now + timedelta(seconds=cfg.lock_seconds)
    return max(0, cfg.max_failures - budget.failures)
