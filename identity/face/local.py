"""The local face check: challenge → frames → decision → step-up token."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mobile_api import audit
from mobile_api.actor import Actor
from mobile_api.crypto import PersonalDataCipher
from mobile_api.errors import Unprocessable
from mobile_api.uow import commit_point

from ..real_name import record_for
from . import challenges
from .config import FaceConfig
from .consent import require_consent
from .decision import Decision, decide
from .enrolment import keyed_digest, load_template
from .errors import BadImage, ChallengeExpired, ChallengeUsed, FrameRejected, RealNameMissing, ReferenceMissing
from .images import decode_image
from .liveness import ACTION_LABELS
from .models import FaceAttempt, FaceFrameDigest, RetainedFrame
from .verifier import FaceCheckResult, FaceVerifier, complete_pass

FRAME_CONTEXT = "identity.face.frame"


def verify_frames(session: Session, cipher: PersonalDataCipher, tokens, actor: Actor, clock, cfg: FaceConfig,
                  challenge_id: str, files: list[bytes]) -> FaceCheckResult:
    now = clock.now()
    try:
        challenge = challenges.load_challenge(session, actor, challenge_id, now)
    except (ChallengeUsed, ChallengeExpired) as exc:
        # A replayed or stale challenge is an attempt worth knowing about.
        audit.record(session, actor, "identity.face_verify_refused", "face_challenge", challenge_id[:64],
                     {"code": exc.code}, at=now)
        commit_point(session, "a replayed or stale face challenge is audited although the check is refused")
        raise
    if not cfg.min_frames <= len(files) <= cfg.max_frames:
        raise Unprocessable(f"请提交 {cfg.min_frames}–{cfg.max_frames} 帧画面", code="identity.face_frame_count",
                            errors={"frames": [f"需要 {cfg.min_frames}–{cfg.max_frames} 帧, 收到 {len(files)} 帧"]})
    frames = [decode_image(data, f"frames[{i}]", cfg.max_image_bytes, cfg.max_image_side)
              for i, data in enumerate(files)]
    if len({(f.width, f.height) for f in frames}) > 1:
        raise BadImage("各帧尺寸不一致, 请使用同一镜头连续拍摄", code="identity.face_frame_sizes",
                       errors={"frames": ["各帧尺寸必须相同"]})
    require_consent(session, actor.id)
    record = record_for(session, actor.id)
    if record is None:
        raise RealNameMissing("请先进行实名登记")
    loaded = load_template(session, cipher, record.id_number_index)
    if loaded is None:
        raise ReferenceMissing("尚无您的身份证底库照片, 请在自助终端读取身份证或到窗口采集")
    template_row, reference = loaded
    actions = list(challenge.actions)

    digests = [keyed_digest(cipher, f.pixel_digest) for f in frames]
    reference_digest = template_row.photo_digest
    seen = set(session.scalars(select(FaceFrameDigest.digest).where(FaceFrameDigest.digest.in_(digests))))
    # Spends the challenge and counts the attempt at a named commit point,
    # which also ends the transaction before the CPU work: no connection sits
    # idle in a transaction while faces are examined.
    challenges.reserve_attempt(session, actor, clock, cfg, challenge_id)
    decision = decide(frames, digests, reference, reference_digest, seen, actions, cfg)
    frames_data = [f.data for f in frames]
    del frames  # frames are discarded after the decision (unless retention is configured below)
    return _record(session, cipher, tokens, actor, clock, cfg, challenge_id, actions, digests, frames_data,
                   decision)


def _record(session, cipher, tokens, actor, clock, cfg, challenge_id, actions, digests, frames_data,
            decision: Decision) -> FaceCheckResult:
    now = clock.now()
    if decision.outcome != "fail":
        # The unique digests are the last word on replays: two parallel
        # submissions of one frame cannot both get through.
        try:
            with session.begin_nested():
                for digest in sorted(set(digests)):
                    session.add(FaceFrameDigest(digest=digest, citizen_id=actor.id, seen_at=now))
        except IntegrityError:
            decision = Decision("fail", ["提交的画面与之前的核身相同, 疑似重放"], score=decision.score)
    failures_left = challenges.settle_attempt(session, actor.id, now, cfg, failed=decision.outcome == "fail")
    attempt = FaceAttempt(citizen_id=actor.id, challenge_id=challenge_id, method="local", outcome=decision.outcome,
                          score=decision.score, reasons=decision.reasons, channel=actor.channel, attempted_at=now)
    session.add(attempt)
    session.flush()
    if cfg.retain_frames_seconds > 0:
        purge_after = now + timedelta(seconds=cfg.retain_frames_seconds)
        for data in frames_data:
            session.add(RetainedFrame(attempt_id=attempt.id, citizen_id=actor.id, purge_after=purge_after,
                                      frame_enc=cipher.encrypt_bytes(data, FRAME_CONTEXT)))
    audit.record(session, actor, "identity.face_verify", "face_attempt", attempt.id,
                 {"outcome": decision.outcome, "score": decision.score, "reasons": decision.reasons,
                  "challenge_id": challenge_id, "actions": actions, "frames": len(digests),
                  "failures_left": failures_left}, at=now)
    if decision.outcome == "rejected":
        # The request answers 422, but the attempt, its audit entry and the
        # settled budget are the record of a check that happened.
        commit_point(session, "a face check rejected for its frames is recorded although the request answers 422")
        raise FrameRejected(decision.reasons[0], errors=decision.frame_errors)
    result = FaceCheckResult(passed=decision.outcome == "pass", method="local", score=decision.score,
                             reasons=decision.reasons, attempt_id=attempt.id, failures_left=failures_left)
    if result.passed:
        result.step_up_token, result.step_up_expires_in = complete_pass(
            session, tokens, actor, clock, "local", cfg.step_up_ttl_seconds)
    return result


class LocalFaceVerifier(FaceVerifier):
    method = "local"

    def __init__(self, cipher: PersonalDataCipher, tokens, cfg: FaceConfig):
        self.cipher, self.tokens, self.cfg = cipher, tokens, cfg

    @classmethod
    def from_app(cls, app) -> "LocalFaceVerifier":
        return cls(app.extensions["cipher"], app.extensions["tokens"], FaceConfig.from_app_config(app.config))

    def start(self, session: Session, actor: Actor, clock) -> dict:
        challenge = challenges.create_challenge(session, actor, clock, self.cfg)
        return {"challenge_id": challenge.id, "actions": challenge.actions,
                "action_labels": [ACTION_LABELS[a] for a in challenge.actions],
                "expires_at": challenge.expires_at, "min_frames": self.cfg.min_frames,
                "max_frames": self.cfg.max_frames}

    def finish(self, session: Session, actor: Actor, clock, submission: dict) -> FaceCheckResult:
        return verify_frames(session, self.cipher, self.tokens, actor, clock, self.cfg,
                             submission["challenge_id"], submission["frames"])
