"""What happens to real-name and face data when citizens are merged (one
person, two records) or an account is closed (erasure)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from ..real_name_models import RealNameRecord
from .models import (FaceAttempt, FaceChallenge, FaceCheckBudget, FaceConsent, FaceFrameDigest, FaceTemplate,
                     RetainedFrame)


def erase_citizen(session: Session, citizen_id: int, now: datetime) -> None:
    """Closed account: the real name, the reference template of that ID number,
    retained frames and challenges go; consents keep only when and which text
    (the proof that processing was lawful), not where from."""
    record = session.scalar(select(RealNameRecord).where(RealNameRecord.citizen_id == citizen_id))
    if record is not None:
        session.execute(delete(FaceTemplate).where(FaceTemplate.id_number_index == record.id_number_index))
        session.delete(record)
    session.execute(delete(RetainedFrame).where(RetainedFrame.citizen_id == citizen_id))
    session.execute(delete(FaceChallenge).where(FaceChallenge.citizen_id == citizen_id))
    session.execute(delete(FaceCheckBudget).where(FaceCheckBudget.citizen_id == citizen_id))
    session.execute(update(FaceConsent).where(FaceConsent.citizen_id == citizen_id)
                    .values(ip=None, channel=None, erased_at=now))
    session.execute(update(FaceFrameDigest).where(FaceFrameDigest.citizen_id == citizen_id)
                    .values(citizen_id=None))
    session.flush()


def merge_citizens(session: Session, from_id: int, into_id: int) -> None:
    """Move rows from `from_id` to `into_id`; of two real-name records the
    verified one stays (the surviving record's if both or neither are)."""
    source = session.scalar(select(RealNameRecord).where(RealNameRecord.citizen_id == from_id))
    target = session.scalar(select(RealNameRecord).where(RealNameRecord.citizen_id == into_id))
    if source is not None:
        if target is None or (source.status == "verified" and target.status != "verified"):
            if target is not None:
                session.delete(target)
                session.flush()  # free the unique citizen_id before moving the other
            source.citizen_id = into_id
        else:
            session.delete(source)
        session.flush()

    kept_versions = set(session.scalars(select(FaceConsent.text_version)
                                        .where(FaceConsent.citizen_id == into_id)))
    for consent in session.scalars(select(FaceConsent).where(FaceConsent.citizen_id == from_id)).all():
        if consent.text_version in kept_versions:
            session.delete(consent)
        else:
            consent.citizen_id = into_id

    source_budget = session.get(FaceCheckBudget, from_id)
    if source_budget is not None:
        target_budget = session.get(FaceCheckBudget, into_id)
        if target_budget is None:
            session.add(FaceCheckBudget(citizen_id=into_id, failures=source_budget.failures,
                                        window_started_at=source_budget.window_started_at,
                                        locked_until=source_budget.locked_until))
        else:  # the stricter of the two: a merge must not reset a lock
            target_budget.failures = max(target_budget.failures, source_budget.failures)
            if source_budget.locked_until and (target_budget.locked_until is None
                                               or source_budget.locked_until > target_budget.locked_until):
                target_budget.locked_until = source_budget.locked_until
        session.delete(source_budget)

    session.execute(delete(FaceChallenge).where(FaceChallenge.citizen_id == from_id))
    for model in (FaceAttempt, FaceFrameDigest, RetainedFrame):
        session.execute(update(model).where(model.citizen_id == from_id).values(citizen_id=into_id))
    session.flush()
