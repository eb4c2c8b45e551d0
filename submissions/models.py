"""The tables of 网上申办.

An `Application` keeps a snapshot of what it was made against (item code,
catalogue version and revision, name, department, time limits), because the
catalogue moves on while an application is handled. Its `status` is the state
of the workflow graph (see workflow.py); every change of it is a conditional
UPDATE on `status`, so two staff acting at once cannot both succeed, and each
change adds an `ApplicationEvent` (the timeline the citizen sees).

Files live outside the database (storage.py); `ApplicationFile` rows point at
them by SHA-256.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mobile_api.db import Base, UTCDateTime


class ThemeApplication(Base):
    """一件事: one merged form creating one application per member item."""

    __tablename__ = "theme_applications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    citizen_id: Mapped[int | None] = mapped_column(ForeignKey("citizens.id"), index=True)
    theme_id: Mapped[str] = mapped_column(String(32), nullable=False)
    theme_name: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    members: Mapped[list["Application"]] = relationship(back_populates="theme_application",
                                                        order_by="Application.id", lazy="selectin")


class Application(Base):
    __tablename__ = "applications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    citizen_id: Mapped[int | None] = mapped_column(ForeignKey("citizens.id"))  # None once pseudonymised
    theme_application_id: Mapped[int | None] = mapped_column(ForeignKey("theme_applications.id"))
    status: Mapped[str] = mapped_column(String(24), nullable=False)
    row_version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    item_id: Mapped[int] = mapped_column(ForeignKey("guide_items.id"), nullable=False)
    item_code: Mapped[str] = mapped_column(String(12), nullable=False)
    item_revision: Mapped[int] = mapped_column(Integer, nullable=False)
    item_version: Mapped[int | None] = mapped_column(Integer)  # catalogue version the item was published in
    item_name: Mapped[str] = mapped_column(String(128), nullable=False)
    department_code: Mapped[str] = mapped_column(String(32), nullable=False)
    promised_days: Mapped[int] = mapped_column(Integer, nullable=False)
    statutory_days: Mapped[int] = mapped_column(Integer, nullable=False)
    in_person_required: Mapped[bool] = mapped_column(Boolean, nullable=False)
    certificate_type: Mapped[str | None] = mapped_column(String(64))
    postal_delivery: Mapped[bool] = mapped_column(Boolean, nullable=False)

    form_data: Mapped[dict] = mapped_column(JSON, nullable=False)
    commitments: Mapped[dict] = mapped_column(JSON, nullable=False)  # material code -> {text_version, signed_at}
    waivers: Mapped[dict] = mapped_column(JSON, nullable=False)  # material code -> {source, ...}, set at submit
    delivery_method: Mapped[str] = mapped_column(String(16), nullable=False)  # window | post | electronic
    postal_address: Mapped[str | None] = mapped_column(String(255))
    supplement_request: Mapped[list | None] = mapped_column(JSON)  # the one-time notice: [{material_code|field, reason}]
    supplement_rounds: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    channel: Mapped[str | None] = mapped_column(String(16))

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # refused, withdrawn
    accepted_by: Mapped[int | None] = mapped_column(Integer)
    accepted_hall_id: Mapped[int | None] = mapped_column(Integer)
    decided_by: Mapped[int | None] = mapped_column(Integer)
    decision: Mapped[str | None] = mapped_column(String(8))  # approved | denied, kept after completion
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Deadlines (deadlines.py): working days in Asia/Shanghai from acceptance,
    # shifted by the working days spent waiting for a supplement.
    clock_start_date: Mapped[date | None] = mapped_column(Date)
    paused_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paused_working_days: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    warning_date: Mapped[date | None] = mapped_column(Date)
    promised_due_date: Mapped[date | None] = mapped_column(Date)
    statutory_due_date: Mapped[date | None] = mapped_column(Date)

    theme_application: Mapped[ThemeApplication | None] = relationship(back_populates="members")
    files: Mapped[list["ApplicationFile"]] = relationship(order_by="ApplicationFile.id", lazy="select",
                                                          viewonly=True)

    __table_args__ = (
        Index("ix_applications_citizen_id", "citizen_id"),
        Index("ix_applications_status_department", "status", "department_code"),
        Index("ix_applications_department_due", "department_code", "promised_due_date"),
    )


class ApplicationFile(Base):
    __tablename__ = "application_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), nullable=False, index=True)
    material_code: Mapped[str] = mapped_column(String(16), nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    content_type: Mapped[str] = mapped_column(String(32), nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    original_name: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class ApplicationEvent(Base):
    """One step of the timeline: who, when, what, opinion, channel."""

    __tablename__ = "application_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), nullable=False, index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    action: Mapped[str] = mapped_column(String(32), nullable=False)
    from_status: Mapped[str | None] = mapped_column(String(24))
    to_status: Mapped[str] = mapped_column(String(24), nullable=False)
    actor_kind: Mapped[str] = mapped_column(String(16), nullable=False)
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor_role: Mapped[str] = mapped_column(String(16), nullable=False)
    channel: Mapped[str | None] = mapped_column(String(16))
    opinion: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict | None] = mapped_column(JSON)


class Certificate(Base):
    """电子证照: issued on completion of an item that yields one; signed by the city."""

    __tablename__ = "certificates"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # random, printed in the QR code
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), nullable=False)
    citizen_id: Mapped[int | None] = mapped_column(ForeignKey("citizens.id"), index=True)
    certificate_type: Mapped[str] = mapped_column(String(64), nullable=False)
    number: Mapped[str] = mapped_column(String(40), nullable=False)
    department_code: Mapped[str] = mapped_column(String(32), nullable=False)
    fields: Mapped[dict] = mapped_column(JSON, nullable=False)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    key_id: Mapped[str] = mapped_column(String(32), nullable=False)
    payload: Mapped[str] = mapped_column(Text, nullable=False)  # the signed QR payload
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_reason: Mapped[str | None] = mapped_column(String(255))

    __table_args__ = (
        UniqueConstraint("application_id", name="uq_certificates_application_id"),
        UniqueConstraint("number", name="uq_certificates_number"),
    )
