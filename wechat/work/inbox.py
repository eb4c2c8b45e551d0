"""The staff member's own inbox of notices, and how many notices nobody has
seen yet (for `flask jobs status` and `/metrics`)."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from mobile_api import outbox
from mobile_api.actor import Actor
from mobile_api.db import MAX_INTEGER_ID
from mobile_api.errors import Forbidden, NotFound

from .delivery import STAFF_NOTIFY
from .models import StaffNotice


def _require_staff(actor: Actor) -> None:
    if actor is None or actor.kind != "staff":
        raise Forbidden("仅工作人员有工作通知")


def own_notices(actor: Actor, unread: bool | None = None):
    _require_staff(actor)
    stmt = select(StaffNotice).where(StaffNotice.staff_id == actor.id)
    if unread is True:
        stmt = stmt.where(StaffNotice.read_at.is_(None))
    elif unread is False:
        stmt = stmt.where(StaffNotice.read_at.is_not(None))
    return stmt.order_by(StaffNotice.id.desc())


def unread_count(session: Session, actor: Actor) -> int:
    _require_staff(actor)
    return session.scalar(select(func.count()).select_from(StaffNotice)
                          .where(StaffNotice.staff_id == actor.id, StaffNotice.read_at.is_(None))) or 0


def mark_read(session: Session, actor: Actor, clock, notice_id: int) -> StaffNotice:
    """Someone else's notice is answered as not found."""
    _require_staff(actor)
    notice = session.get(StaffNotice, notice_id) if 0 < notice_id <= MAX_INTEGER_ID else None
    if notice is None or notice.staff_id != actor.id:
        raise NotFound(f"通知 {notice_id} 不存在", code="wechat.notice_not_found")
    session.execute(update(StaffNotice).where(StaffNotice.id == notice.id, StaffNotice.read_at.is_(None))
                    .values(read_at=clock.now()).execution_options(synchronize_session=False))
    session.refresh(notice)
    return notice


def mark_all_read(session: Session, actor: Actor, clock) -> int:
    _require_staff(actor)
    return session.execute(update(StaffNotice)
                           .where(StaffNotice.staff_id == actor.id, StaffNotice.read_at.is_(None))
                           .values(read_at=clock.now()).execution_options(synchronize_session=False)).rowcount


def undelivered_counts(session: Session) -> dict[str, int]:
    """Notices nobody has seen yet:
    - `outbox_pending`: staff.notify messages not yet handled (waiting, or being retried);
    - `outbox_failed`: dead-lettered ones (`flask outbox retry`);
    - `inbox_unseen`: inbox rows that did not reach WeCom (unbound, failed or still
      pending) and that their recipient has not read."""
    by_status = dict(session.execute(select(outbox.OutboxMessage.status, func.count())
                                     .where(outbox.OutboxMessage.topic == STAFF_NOTIFY)
                                     .group_by(outbox.OutboxMessage.status)).all())
    unseen = session.scalar(select(func.count()).select_from(StaffNotice)
                            .where(StaffNotice.read_at.is_(None), StaffNotice.wecom_status != "sent")) or 0
    return {"outbox_pending": by_status.get("pending", 0) + by_status.get("sending", 0),
            "outbox_failed": by_status.get("failed", 0), "inbox_unseen": unseen}
