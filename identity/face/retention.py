"""Automatic deletion: retained frames when their time is up, frame digests
after IDENTITY_FACE_DIGEST_RETENTION_DAYS, challenges a day after expiry."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from .models import FaceChallenge, FaceFrameDigest, RetainedFrame


def periodic_purge(session: Session, clock, app) -> dict:
    """The rule `identity.face_purge` of the job engine (mobile_api/jobs/schedule.py)."""
    return purge(session, clock.now(), app.config["IDENTITY_FACE_DIGEST_RETENTION_DAYS"])


def purge(session: Session, now: datetime, digest_retention_days: int) -> dict:
    frames = session.execute(delete(RetainedFrame).where(RetainedFrame.purge_after <= now)).rowcount
    digests = session.execute(delete(FaceFrameDigest).where(
        FaceFrameDigest.seen_at < now - timedelta(days=digest_retention_days))).rowcount
    stale = session.execute(delete(FaceChallenge).where(
        FaceChallenge.expires_at < now - timedelta(days=1))).rowcount
    return {"frames": frames, "digests": digests, "challenges": stale}
