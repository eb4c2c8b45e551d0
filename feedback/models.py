"""feedback's tables: cases with their timeline and photos, uploads, ratings,
rating invitations and rectifications.

Rules held by the database, not by Python:
- one rating per served event: unique (event_kind, event_id);
- one rectification per rating: unique rating_id;
- one "original" case per citizen, content and local day: a partial unique
  index, so two identical submissions racing each other still link;
- state changes are conditional UPDATEs on `state` in the services, so two
  staff acting on one case cannot both win.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, SmallInteger, String, Text,
                        UniqueConstraint)
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Mapped, mapped_column

from mobile_api.db import Base, UTCDateTime


class FeedbackCase(Base):
    __tablename__ = "feedback_cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    citizen_id: Mapped[int | None] = mapped_column(ForeignKey("citizens.id"))  # None once erased
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    category: Mapped[str] = mapped_column(String(64), nullable=False)
    about_type: Mapped[str | None] = mapped_column(String(16))
    about_ref: Mapped[str | None] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text, nullable=False)
    channel: Mapped[str | None] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16), nullable=False)
    department_code: Mapped[str | None] = mapped_column(String(32))  # who handles it now
    content_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    submitted_on: Mapped[date] = mapped_column(Date, nullable=False)  # local (Asia/Shanghai) day
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("feedback_cases.id"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    reply_due_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reply_text: Mapped[str | None] = mapped_column(Text)
    replied_by_staff_id: Mapped[int | None] = mapped_column(Integer)
    replied_department_code: Mapped[str | None] = mapped_column(String(32))
    satisfaction: Mapped[str | None] = mapped_column(String(24))
    satisfaction_comment: Mapped[str | None] = mapped_column(Text)
    reopen_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    extension_status: Mapped[str | None] = mapped_column(String(16))  # pending | approved | rejected
    extension_days: Mapped[int | None] = mapped_column(Integer)
    extension_reason: Mapped[str | None] = mapped_column(Text)
    extension_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    overdue_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    urge_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_urged_on: Mapped[date | None] = mapped_column(Date)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        CheckConstraint("kind IN ('consultation', 'complaint', 'suggestion', 'help', 'report')", name="kind"),
        CheckConstraint("state IN ('submitted', 'dispatched', 'returned', 'replied', 'closed', 'merged', "
                        "'withdrawn')", name="state"),
        Index("ix_feedback_cases_queue", "department_code", "state", "reply_due_at"),
        Index("ix_feedback_cases_citizen", "citizen_id", "submitted_at"),
        Index("uq_feedback_cases_original", "citizen_id", "content_hash", "submitted_on", unique=True,
              postgresql_where=sql_text("duplicate_of_id IS NULL")),
    )


class FeedbackCaseEvent(Base):
    """The case's timeline, shown to the citizen and to staff."""

    __tablename__ = "feedback_case_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("feedback_cases.id"), nullable=False, index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    action: Mapped[str] = mapped_column(String(32), nullable=False)
    actor_kind: Mapped[str] = mapped_column(String(16), nullable=False)  # citizen | staff | system
    actor_id: Mapped[int | None] = mapped_column(Integer)
    department_code: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)


class FeedbackUpload(Base):
    """A photo a citizen uploaded; the bytes live in content-addressed storage."""

    __tablename__ = "feedback_uploads"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    citizen_id: Mapped[int | None] = mapped_column(ForeignKey("citizens.id"))
    sha256: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    content_type: Mapped[str] = mapped_column(String(32), nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class FeedbackCasePhoto(Base):
    __tablename__ = "feedback_case_photos"

    case_id: Mapped[int] = mapped_column(ForeignKey("feedback_cases.id"), primary_key=True)
    position: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    upload_id: Mapped[int] = mapped_column(ForeignKey("feedback_uploads.id"), nullable=False)

    __table_args__ = (UniqueConstraint("case_id", "upload_id"),)


class FeedbackRating(Base):
    __tablename__ = "feedback_ratings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_kind: Mapped[str] = mapped_column(String(16), nullable=False)
    event_id: Mapped[int] = mapped_column(Integer, nullable=False)
    citizen_id: Mapped[int | None] = mapped_column(ForeignKey("citizens.id"))
    level: Mapped[int] = mapped_column(SmallInteger, nullable=False)  # 5 非常满意 … 1 非常不满意
    reason_code: Mapped[str | None] = mapped_column(String(32))
    comment: Mapped[str | None] = mapped_column(Text)
    channel: Mapped[str | None] = mapped_column(String(16))
    rated_by: Mapped[str] = mapped_column(String(16), nullable=False)  # citizen | kiosk | system (default)
    department_code: Mapped[str | None] = mapped_column(String(32))
    hall_id: Mapped[int | None] = mapped_column(Integer)
    window_id: Mapped[int | None] = mapped_column(Integer)
    item_code: Mapped[str | None] = mapped_column(String(64))
    staff_id: Mapped[int | None] = mapped_column(Integer)
    event_finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    # An upheld malicious-rating appeal takes the rating out of the statistics.
    excluded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        UniqueConstraint("event_kind", "event_id"),
        CheckConstraint("level BETWEEN 1 AND 5", name="level"),
        CheckConstraint("level > 2 OR reason_code IS NOT NULL", name="bad_needs_reason"),
        Index("ix_feedback_ratings_rated_at", "rated_at"),
        Index("ix_feedback_ratings_department", "department_code", "rated_at"),
        Index("ix_feedback_ratings_citizen", "citizen_id"),
    )


class FeedbackRatingInvitation(Base):
    """A served event the citizen was invited to rate; the sweep settles the
    ones left unrated (default rating when that setting is on)."""

    __tablename__ = "feedback_rating_invitations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_kind: Mapped[str] = mapped_column(String(16), nullable=False)
    event_id: Mapped[int] = mapped_column(Integer, nullable=False)
    citizen_id: Mapped[int | None] = mapped_column(ForeignKey("citizens.id"))
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        UniqueConstraint("event_kind", "event_id"),
        Index("ix_feedback_rating_invitations_due", "settled_at", "expires_at"),
    )


class FeedbackRectification(Base):
    """差评整改: opened for every bad rating, for the responsible department or window."""

    __tablename__ = "feedback_rectifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rating_id: Mapped[int] = mapped_column(ForeignKey("feedback_ratings.id"), nullable=False, unique=True)
    department_code: Mapped[str | None] = mapped_column(String(32))
    hall_id: Mapped[int | None] = mapped_column(Integer)
    window_id: Mapped[int | None] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16), nullable=False)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    callback_due_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    called_back_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    callback_note: Mapped[str | None] = mapped_column(Text)
    handled_by_staff_id: Mapped[int | None] = mapped_column(Integer)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolution_note: Mapped[str | None] = mapped_column(Text)
    appeal_reason: Mapped[str | None] = mapped_column(Text)
    appealed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    appeal_decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    appeal_decided_by: Mapped[int | None] = mapped_column(Integer)
    appeal_upheld: Mapped[bool | None] = mapped_column(Boolean)
    appeal_note: Mapped[str | None] = mapped_column(Text)
    callback_overdue_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    overdue_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    citizen_level: Mapped[int | None] = mapped_column(SmallInteger)  # the citizen's rating of the rectification
    citizen_rated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        CheckConstraint("state IN ('pending_callback', 'called_back', 'rectified', 'explained', 'appealed', "
                        "'appeal_upheld')", name="state"),
        Index("ix_feedback_rectifications_queue", "department_code", "state", "due_at"),
    )
