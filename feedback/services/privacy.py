"""Citizen merge and erasure hooks for feedback's tables.

Merge (WeChat shows two citizen records are one person): every row moves to
the surviving citizen. A case of the old record that would collide with an
identical "original" of the survivor on the same day is linked to it as a
duplicate, which is exactly what it is.

Erasure (the citizen closes the account): the statistics and the public
record must stay, so cases and ratings are kept but made pseudonymous:
- cases: the link to the citizen is dropped and the citizen's own text is
  replaced by a marker (it is free text and may name people); the kind,
  category, subject, dates, department handling and the department's reply
  (an official act, not the citizen's data) are kept; open cases end as
  `withdrawn` since nobody is left to answer;
- photos: unlinked and their upload rows deleted; a file is removed from the
  store when no other upload refers to the same bytes, once the caller's unit
  of work has committed (a rollback keeps them);
- ratings: the link to the citizen and the free-text comment are dropped;
  level, reason, event and dates stay, so statistics do not change;
- rating invitations: the link to the citizen is dropped.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, delete, func, select, update
from sqlalchemy.orm import Session, aliased

from mobile_api import uow as units_of_work
from mobile_api.actor import SYSTEM

from ..models import FeedbackCase, FeedbackCasePhoto, FeedbackRating, FeedbackRatingInvitation, FeedbackUpload
from ..storage import ContentStore
from ..taxonomy import OPEN_STATES
from .timeline import add_event

ERASED_TEXT = "（市民已注销账号，诉求内容已删除）"


def merge_citizen(session: Session, from_id: int, into_id: int) -> None:
    survivor = aliased(FeedbackCase)
    collisions = session.execute(
        select(FeedbackCase.id, survivor.id)
        .join(survivor, and_(survivor.citizen_id == into_id, survivor.content_hash == FeedbackCase.content_hash,
                             survivor.submitted_on == FeedbackCase.submitted_on,
                             survivor.duplicate_of_id.is_(None)))
        .where(FeedbackCase.citizen_id == from_id, FeedbackCase.duplicate_of_id.is_(None))).all()
    for case_id, original_id in collisions:
        session.execute(update(FeedbackCase).where(FeedbackCase.id == case_id)
                        .values(duplicate_of_id=original_id).execution_options(synchronize_session=False))
    for model in (FeedbackCase, FeedbackRating, FeedbackUpload, FeedbackRatingInvitation):
        session.execute(update(model).where(model.citizen_id == from_id).values(citizen_id=into_id)
                        .execution_options(synchronize_session=False))


def erase_citizen(session: Session, citizen_id: int, now: datetime) -> None:
    open_ids = list(session.scalars(select(FeedbackCase.id).where(FeedbackCase.citizen_id == citizen_id,
                                                                  FeedbackCase.state.in_(OPEN_STATES))))
    for case_id in open_ids:
        add_event(session, case_id, "withdrawn", SYSTEM, now)
    session.execute(update(FeedbackCase).where(FeedbackCase.id.in_(open_ids))
                    .values(state="withdrawn", closed_at=now).execution_options(synchronize_session=False))
    session.execute(update(FeedbackCase).where(FeedbackCase.citizen_id == citizen_id)
                    .values(citizen_id=None, text=ERASED_TEXT, satisfaction_comment=None, erased_at=now)
                    .execution_options(synchronize_session=False))
    uploads = list(session.execute(select(FeedbackUpload.id, FeedbackUpload.sha256)
                                   .where(FeedbackUpload.citizen_id == citizen_id)))
    upload_ids = [u.id for u in uploads]
    if upload_ids:
        session.execute(delete(FeedbackCasePhoto).where(FeedbackCasePhoto.upload_id.in_(upload_ids))
                        .execution_options(synchronize_session=False))
        session.execute(delete(FeedbackUpload).where(FeedbackUpload.id.in_(upload_ids))
                        .execution_options(synchronize_session=False))
        unused = [digest for digest in {u.sha256 for u in uploads}
                  if not session.scalar(select(func.count()).select_from(FeedbackUpload)
                                        .where(FeedbackUpload.sha256 == digest))]
        if unused:
            # Files go only once the erasure is committed; a rollback keeps them.
            work = units_of_work.of(session)
            store = ContentStore(work.config["FEEDBACK_STORAGE_DIR"])
            work.after_commit(lambda: [store.delete(digest) for digest in unused])
    session.execute(update(FeedbackRating).where(FeedbackRating.citizen_id == citizen_id)
                    .values(citizen_id=None, comment=None).execution_options(synchronize_session=False))
    session.execute(update(FeedbackRatingInvitation).where(FeedbackRatingInvitation.citizen_id == citizen_id)
                    .values(citizen_id=None).execution_options(synchronize_session=False))
