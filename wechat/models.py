"""WeChat tables: accounts (one per app id and openid), unionids (one citizen
per WeChat person), phone bindings, one-time subscription grants, subscribe
message deliveries and 人脸核身 sessions.

Uniqueness rules live in constraints, so concurrent logins and deliveries are
settled by the database, not by checks in Python.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mobile_api.db import Base, UTCDateTime


class WeChatAccount(Base):
    """A citizen as one WeChat app (mini-program or the city app) sees them."""

    __tablename__ = "wechat_accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    citizen_id: Mapped[int] = mapped_column(ForeignKey("citizens.id"), nullable=False, index=True)
    channel: Mapped[str] = mapped_column(String(16), nullable=False)  # miniprogram | app
    appid: Mapped[str] = mapped_column(String(32), nullable=False)
    openid: Mapped[str] = mapped_column(String(64), nullable=False)
    unionid: Mapped[str | None] = mapped_column(String(64), index=True)
    # The mini-program's session_key: encrypted, server-side only, with an expiry.
    session_key_enc: Mapped[str | None] = mapped_column(Text)
    session_key_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    last_login_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)

    __table_args__ = (
        UniqueConstraint("appid", "openid"),
        CheckConstraint("channel IN ('miniprogram', 'app')", name="channel"),
    )


class WeChatUnion(Base):
    """One row per unionid: the unique constraint is what makes the
    mini-program and the app land on one citizen, even when both log in for
    the first time at the same moment."""

    __tablename__ = "wechat_unions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unionid: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    citizen_id: Mapped[int] = mapped_column(ForeignKey("citizens.id"), nullable=False, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class PhoneBinding(Base):
    __tablename__ = "wechat_phone_bindings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    citizen_id: Mapped[int] = mapped_column(ForeignKey("citizens.id"), nullable=False, unique=True)
    phone_enc: Mapped[str] = mapped_column(Text, nullable=False)
    # Keyed blind index: one citizen per phone number, found without decrypting.
    phone_index: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    country_code: Mapped[str] = mapped_column(String(8), nullable=False)
    bound_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class SubscriptionGrant(Base):
    """One accepted one-time subscription: allows exactly one message with
    that template. `used_at` is set by a conditional UPDATE when a delivery
    takes it."""

    __tablename__ = "wechat_subscription_grants"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    citizen_id: Mapped[int] = mapped_column(ForeignKey("citizens.id"), nullable=False)
    template_id: Mapped[str] = mapped_column(String(64), nullable=False)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    used_by_message_id: Mapped[int | None] = mapped_column(Integer, unique=True)

    __table_args__ = (Index("ix_wechat_subscription_grants_available", "citizen_id", "template_id", "used_at"),)


class MessageDelivery(Base):
    """What became of one outbox message: one row per outbox message id, so a
    message is sent at most once even if two workers hold it."""

    __tablename__ = "wechat_message_deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    outbox_message_id: Mapped[int] = mapped_column(Integer, nullable=False, unique=True)
    citizen_id: Mapped[int | None] = mapped_column(ForeignKey("citizens.id"), index=True)
    event: Mapped[str] = mapped_column(String(64), nullable=False)
    template_id: Mapped[str | None] = mapped_column(String(64))
    grant_id: Mapped[int | None] = mapped_column(Integer)
    # sending | retry | sent | skipped | failed
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    reason: Mapped[str | None] = mapped_column(String(500))
    errcode: Mapped[int | None] = mapped_column(Integer)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)

    __table_args__ = (
        CheckConstraint("status IN ('sending', 'retry', 'sent', 'skipped', 'failed')", name="status"),
    )


class FaceVerification(Base):
    """One WeChat 人脸核身 session (getVerifyId … queryVerifyInfo)."""

    __tablename__ = "wechat_face_verifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    citizen_id: Mapped[int] = mapped_column(ForeignKey("citizens.id"), nullable=False, index=True)
    verify_id: Mapped[str | None] = mapped_column(String(256), unique=True)
    out_seq_no: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    cert_hash: Mapped[str | None] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(16), nullable=False)  # pending | passed | failed
    verify_ret: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (CheckConstraint("status IN ('pending', 'passed', 'failed')", name="status"),)
