"""The staff inbox: one row per (staff notice, recipient). Every notice lands
here, whether or not it also went out through 企业微信 (WeCom), so nothing a
department must act on exists only in a chat app; `wecom_status` says what
happened on that channel."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mobile_api.db import Base, UTCDateTime

# unbound: the recipient has no WeCom id (inbox only); pending: to be sent;
# sent; failed (refused by WeCom, or gave up after the outbox's last attempt).
WECOM_STATUSES = ("unbound", "pending", "sent", "failed")


class StaffNotice(Base):
    __tablename__ = "wechat_staff_notices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    outbox_message_id: Mapped[int] = mapped_column(Integer, nullable=False)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"), nullable=False)
    event: Mapped[str] = mapped_column(String(64), nullable=False)
    title: Mapped[str] = mapped_column(String(128), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    data: Mapped[dict] = mapped_column(JSON, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    wecom_userid: Mapped[str | None] = mapped_column(String(64))
    wecom_status: Mapped[str] = mapped_column(String(16), nullable=False)
    wecom_error: Mapped[str | None] = mapped_column(Text)
    wecom_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        # A message handed to the handler twice (a retry, a lease taken over)
        # never gives anyone a second copy of the notice.
        UniqueConstraint("outbox_message_id", "staff_id"),
        CheckConstraint("wecom_status IN ('unbound', 'pending', 'sent', 'failed')", name="wecom_status"),
        Index("ix_wechat_staff_notices_inbox", "staff_id", "read_at", "id"),
        Index("ix_wechat_staff_notices_unseen", "wecom_status", "read_at"),
    )
