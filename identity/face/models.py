"""Face data: reference templates, consents, challenges, attempts and the
per-citizen attempt budget. Templates and retained frames are encrypted."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mobile_api.db import Base, UTCDateTime


class FaceTemplate(Base):
    """The 128-number encoding of the reference photo for one ID number (the
    chip photo read at a kiosk or a window). The photo itself is not kept."""

    __tablename__ = "identity_face_templates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    id_number_index: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    template_enc: Mapped[str] = mapped_column(Text, nullable=False)
    # Keyed digest of the reference photo's pixels: a frame that is the photo
    # itself is refused without comparing encodings.
    photo_digest: Mapped[str] = mapped_column(String(64), nullable=False)
    enrolled_by_kind: Mapped[str] = mapped_column(String(16), nullable=False)
    enrolled_by_id: Mapped[int | None] = mapped_column(Integer)
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class FaceConsent(Base):
    __tablename__ = "identity_face_consents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    citizen_id: Mapped[int | None] = mapped_column(ForeignKey("citizens.id", ondelete="SET NULL"))
    text_version: Mapped[str] = mapped_column(String(32), nullable=False)
    consented_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    channel: Mapped[str | None] = mapped_column(String(16))
    ip: Mapped[str | None] = mapped_column(String(64))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # PIPL art. 15: consent may be withdrawn
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (UniqueConstraint("citizen_id", "text_version"),)


class FaceChallenge(Base):
    __tablename__ = "identity_face_challenges"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # random, also the nonce
    citizen_id: Mapped[int] = mapped_column(ForeignKey("citizens.id", ondelete="CASCADE"), nullable=False)
    actions: Mapped[list] = mapped_column(JSON, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_identity_face_challenges_citizen_id", "citizen_id"),)


class FaceCheckBudget(Base):
    """Failures in the current window and the lock; changed only under a row
    lock (SELECT … FOR UPDATE) so parallel attempts cannot exceed the limit."""

    __tablename__ = "identity_face_budgets"

    citizen_id: Mapped[int] = mapped_column(ForeignKey("citizens.id", ondelete="CASCADE"), primary_key=True)
    # An attempt counts as a failure from the moment it starts (so a crash or
    # parallel attempts cannot slip past the limit) and is given back if it
    # passes or is rejected for frame quality.
    failures: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    window_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class FaceAttempt(Base):
    __tablename__ = "identity_face_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    citizen_id: Mapped[int | None] = mapped_column(ForeignKey("citizens.id", ondelete="SET NULL"))
    challenge_id: Mapped[str | None] = mapped_column(String(32))
    method: Mapped[str] = mapped_column(String(16), nullable=False)
    outcome: Mapped[str] = mapped_column(String(16), nullable=False)  # pass | fail | rejected
    score: Mapped[float | None] = mapped_column(Float)
    reasons: Mapped[list] = mapped_column(JSON, nullable=False)
    channel: Mapped[str | None] = mapped_column(String(16))
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)

    __table_args__ = (Index("ix_identity_face_attempts_citizen_id", "citizen_id", "attempted_at"),)


class FaceFrameDigest(Base):
    """Keyed digests of frames already submitted: a frame seen before is a
    replay. Unique, so two parallel submissions of one frame cannot both pass."""

    __tablename__ = "identity_face_frame_digests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    citizen_id: Mapped[int | None] = mapped_column(ForeignKey("citizens.id", ondelete="SET NULL"))
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)

    __table_args__ = (Index("ix_identity_face_frame_digests_seen_at", "seen_at"),)


class RetainedFrame(Base):
    """Only when IDENTITY_FACE_RETAIN_FRAMES_SECONDS > 0: an encrypted frame
    kept for review, deleted by the purge once `purge_after` has passed."""

    __tablename__ = "identity_face_retained"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("identity_face_attempts.id", ondelete="CASCADE"),
                                            nullable=False)
    citizen_id: Mapped[int | None] = mapped_column(ForeignKey("citizens.id", ondelete="SET NULL"))
    frame_enc: Mapped[str] = mapped_column(Text, nullable=False)
    purge_after: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)

    __table_args__ = (Index("ix_identity_face_retained_purge_after", "purge_after"),)
