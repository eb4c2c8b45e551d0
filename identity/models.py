"""Principals: citizens, staff, kiosk and board devices; refresh tokens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from mobile_api.db import Base, UTCDateTime


class Citizen(Base):
    __tablename__ = "citizens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(36), nullable=False, unique=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="active")  # active | closed
    display_name: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class StaffUser(Base):
    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    display_name: Mapped[str] = mapped_column(String(64), nullable=False)
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    role: Mapped[str] = mapped_column(String(16), nullable=False)  # clerk | approver | admin
    department_code: Mapped[str | None] = mapped_column(String(32))  # None for a platform admin
    hall_id: Mapped[int | None] = mapped_column(Integer)
    # The 企业微信 (WeCom) member id staff notices are sent to; one member per
    # staff account (unique), so a notice never reaches the wrong person.
    wecom_userid: Mapped[str | None] = mapped_column(String(64), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)

    __table_args__ = (CheckConstraint("role IN ('clerk', 'approver', 'admin')", name="role"),)


class KioskDevice(Base):
    __tablename__ = "kiosk_devices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    device_code: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    name: Mapped[str] = mapped_column(String(128), nullable=False)
    hall_id: Mapped[int] = mapped_column(Integer, nullable=False)
    secret_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    # kiosk: check-in and tickets with a kiosk token; board: the hall display,
    # which only reads its hall's board and events (a screens stream token)
    kind: Mapped[str] = mapped_column(String(8), nullable=False, default="kiosk", server_default="kiosk")

    __table_args__ = (CheckConstraint("kind IN ('kiosk', 'board')", name="kind"),)


class RefreshToken(Base):
    """Opaque, single-use, stored as a hash. Tokens issued from one login form
    a family; presenting a spent token revokes the whole family."""

    __tablename__ = "refresh_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    family_id: Mapped[str] = mapped_column(String(36), nullable=False)
    principal_kind: Mapped[str] = mapped_column(String(16), nullable=False)
    principal_id: Mapped[int] = mapped_column(Integer, nullable=False)
    channel: Mapped[str | None] = mapped_column(String(16))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("refresh_tokens.id"))

    __table_args__ = (
        Index("ix_refresh_tokens_family", "family_id"),
        Index("ix_refresh_tokens_principal", "principal_kind", "principal_id"),
    )


class RevokedToken(Base):
    """An access token revoked before its expiry (logout). Mirrored in Redis;
    read from here while Redis is down and to rebuild Redis after a restart."""

    __tablename__ = "identity_revoked_tokens"

    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True)


class PrincipalRevocation(Base):
    """Every access token of this principal issued at or before `revoked_at` is
    refused (deactivation, password reset)."""

    __tablename__ = "identity_principal_revocations"

    principal_kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    principal_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    revoked_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class LoginCounter(Base):
    """Fixed-window login attempts per client, counted in SQL while Redis (the
    rate limiter's usual store) is down, so logins never go unlimited."""

    __tablename__ = "identity_login_counters"

    scope: Mapped[str] = mapped_column(String(64), primary_key=True)
    client_key: Mapped[str] = mapped_column(String(128), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True, index=True)
    hits: Mapped[int] = mapped_column(Integer, nullable=False)
