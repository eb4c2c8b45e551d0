"""Closing a citizen account (注销, or absorbed by a merge of two records of
one person). The row stays, without personal data, so that records the law
requires to keep still point at a pseudonymous id."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from mobile_api import audit
from mobile_api.actor import Actor

from .models import Citizen


def close_citizen(session: Session, clock, actor: Actor, citizen_id: int, reason: str) -> bool:
    """Mark the citizen closed (`reason`: erased | merged); False if it was not
    active. A conditional UPDATE, so two closes cannot both happen."""
    now = clock.now()
    closed = session.execute(update(Citizen)
                             .where(Citizen.id == citizen_id, Citizen.status == "active")
                             .values(status="closed", closed_at=now, display_name=None)).rowcount == 1
    if closed:
        audit.record(session, actor, "citizen.close", "citizen", citizen_id, {"reason": reason}, at=now)
    return closed
