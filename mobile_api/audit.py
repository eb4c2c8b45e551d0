"""The append-only audit log: who (principal, role, channel), did what, to which
object, when, from where, in which request.

`record` adds the entry to the caller's session, so it commits or rolls back
with the change it describes. The table refuses UPDATE and DELETE (triggers in
the migration), so an entry cannot be altered afterwards.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Index, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from .actor import Actor
from .db import Base, UTCDateTime, utcnow


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    principal_kind: Mapped[str] = mapped_column(String(16), nullable=False)
    principal_id: Mapped[int | None] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(16), nullable=False)
    channel: Mapped[str | None] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(64), nullable=False)
    object_type: Mapped[str] = mapped_column(String(64), nullable=False)
    object_id: Mapped[str | None] = mapped_column(String(64))
    request_id: Mapped[str | None] = mapped_column(String(64))
    ip: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict | None] = mapped_column(JSON)

    __table_args__ = (
        Index("ix_audit_log_object", "object_type", "object_id"),
        Index("ix_audit_log_principal", "principal_kind", "principal_id"),
        Index("ix_audit_log_occurred_at", "occurred_at"),
    )


def record(session: Session, actor: Actor, action: str, object_type: str, object_id=None,
           details: dict | None = None, at: datetime | None = None) -> AuditEntry:
    """Add an audit entry to the current transaction. Never put secrets or
    unmasked personal data in `details`."""
    entry = AuditEntry(**entry_values(actor, action, object_type, object_id, details, at))
    session.add(entry)
    return entry


def entry_values(actor: Actor, action: str, object_type: str, object_id=None, details: dict | None = None,
                 at: datetime | None = None) -> dict:
    """The columns of an entry, for a caller that inserts it with a statement of
    its own (the booking's one-round-trip write)."""
    return {"occurred_at": at or utcnow(), "principal_kind": actor.kind, "principal_id": actor.id,
            "role": actor.role, "channel": actor.channel, "action": action, "object_type": object_type,
            "object_id": None if object_id is None else str(object_id), "request_id": actor.request_id,
            "ip": actor.ip, "details": details}


def entries_for(session: Session, object_type: str, object_id) -> list[AuditEntry]:
    stmt = (select(AuditEntry)
            .where(AuditEntry.object_type == object_type, AuditEntry.object_id == str(object_id))
            .order_by(AuditEntry.id))
    return list(session.scalars(stmt))
