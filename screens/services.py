"""What the screens read and change: the board's state, the notice line, the
console's view of a window, and who may hold a stream of a hall."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from booking import events
from booking.models import AT_WINDOW, SESSION_OPEN, CounterSession, HallQueue, Ticket, Window, WindowQueue
from booking.policy import Policy
from booking.services import cache, calling
from booking.services.common import get_hall, local_today, windows_serving
from booking.services.tickets import LANE_NAMES, average_service
from identity import access, services as identity_services
from identity.models import StaffUser
from mobile_api import audit
from mobile_api.actor import Actor

from .errors import NoticeInvalid, StreamTokenInvalid, WrongHall
from .models import HallNotice
from .tokens import StreamGrant

NOTICE_MAX = 200


def queue_wait_minutes(session: Session, queue_id: int, waiting: int, now: datetime, policy: Policy) -> int:
    """The wait of a ticket taken now: the same estimate as a ticket's (cached inputs)."""
    windows, service = cache.cached(session, cache.estimate_key(queue_id), cache.ESTIMATE_SECONDS,
                                    lambda: (max(1, windows_serving(session, queue_id)),
                                             average_service(session, queue_id, now, policy)))
    return int(round((service * waiting / windows).total_seconds() / 60))


def board_state(session: Session, clock, policy: Policy, hall_id: int) -> dict:
    """Booking's board plus each queue's estimated wait and the hall's notice line."""
    now = clock.now()
    state = calling.board(session, clock, hall_id)
    queues = {q.prefix: q.id for q in session.scalars(select(HallQueue).where(HallQueue.hall_id == hall_id))}
    for row in state["queues"]:
        row["estimated_wait_minutes"] = queue_wait_minutes(session, queues[row["prefix"]], row["waiting"], now,
                                                           policy)
    notice = session.get(HallNotice, hall_id)
    state["notice"] = notice.text if notice is not None else ""
    return state


def set_notice(session: Session, actor: Actor, clock, hall_id: int, text: str) -> dict:
    if not access.manages_hall(actor, hall_id):
        raise WrongHall("只有本大厅管理员可以修改大厅公告")
    get_hall(session, hall_id)
    text = " ".join(text.split())
    if len(text) > NOTICE_MAX:
        raise NoticeInvalid(f"公告不能超过 {NOTICE_MAX} 字", errors={"text": [f"最多 {NOTICE_MAX} 字"]})
    now = clock.now()
    notice = session.get(HallNotice, hall_id)
    if notice is None:
        notice = HallNotice(hall_id=hall_id, text=text, updated_at=now, updated_by=actor.id)
        session.add(notice)
    else:
        notice.text, notice.updated_at, notice.updated_by = text, now, actor.id
    audit.record(session, actor, "screens.notice_set", "hall", hall_id, {"text": text}, at=now)
    events.publish(session, hall_id, "hall.notice", now)
    return {"hall_id": hall_id, "text": text, "updated_at": now}


def ensure_may_watch(actor: Actor, hall_id: int) -> None:
    """Staff of the hall (clerks, its admin) and the platform admin may watch a hall's events."""
    if actor.kind != "staff" or not access.acts_for_hall(actor, hall_id):
        raise WrongHall("只能订阅本大厅的事件")


def check_grant(session: Session, grant: StreamGrant, hall_id: int) -> None:
    """At every (re)connect: the token's hall, and its principal still active."""
    if grant.hall_id != hall_id:
        raise WrongHall("事件流令牌不属于该大厅")
    if grant.kind == "board":
        device = identity_services.active_board(session, grant.principal_id)
        if device is None or device.hall_id != hall_id:
            raise StreamTokenInvalid("大屏设备已停用或不属于该大厅")
        return
    staff = session.get(StaffUser, grant.principal_id)
    if staff is None or not staff.active:
        raise StreamTokenInvalid("账号已停用")


def console_view(session: Session, actor: Actor, clock, policy: Policy) -> dict:
    """A clerk's day at a glance: the hall's windows (staffed by a counter
    session or free, and the ticket at each), the waiting list of the hall's
    queues, and their own figures today (tickets they called, completed,
    skipped; mean service time)."""
    if actor.kind != "staff" or actor.hall_id is None:
        raise WrongHall("仅大厅窗口工作人员可使用窗口工作台")
    now = clock.now()
    day = local_today(now)
    hall = get_hall(session, actor.hall_id)
    windows = list(session.scalars(select(Window).where(Window.hall_id == hall.id, Window.active)
                                   .order_by(Window.number)))
    serving = {t.window_id: t for t in session.scalars(select(Ticket).where(
        Ticket.hall_id == hall.id, Ticket.local_date == day, Ticket.status.in_(AT_WINDOW)))}
    staffed = set(session.scalars(select(CounterSession.window_id).where(
        CounterSession.hall_id == hall.id, CounterSession.status.in_(SESSION_OPEN))))
    served_queues: dict[int, list[int]] = {}
    for window_id, queue_id in session.execute(select(WindowQueue.window_id, WindowQueue.queue_id).where(
            WindowQueue.window_id.in_([w.id for w in windows]))):
        served_queues.setdefault(window_id, []).append(queue_id)
    queues = list(session.scalars(select(HallQueue).where(HallQueue.hall_id == hall.id).order_by(HallQueue.prefix)))
    waiting = session.scalars(select(Ticket).where(Ticket.hall_id == hall.id, Ticket.local_date == day,
                                                   Ticket.status == "waiting")
                              .order_by(Ticket.lane.desc(), Ticket.queued_at, Ticket.id).limit(100)).all()
    mine = session.execute(select(Ticket.status, Ticket.first_called_at, Ticket.completed_at).where(
        Ticket.hall_id == hall.id, Ticket.local_date == day, Ticket.staff_id == actor.id)).all()
    services = [(done - called) for status, called, done in mine if status == "completed" and called and done]
    return {
        "hall_id": hall.id, "hall_name": hall.name, "date": day,
        "windows": [{"id": w.id, "number": w.number, "name": w.name, "queue_ids": served_queues.get(w.id, []),
                     "staffed": w.id in staffed,
                     "current": _ticket_row(serving[w.id], now) if w.id in serving else None} for w in windows],
        "queues": [{"id": q.id, "prefix": q.prefix, "name": q.name} for q in queues],
        "waiting": [_ticket_row(t, now) for t in waiting],
        "mine": {"called": len(mine), "completed": sum(1 for row in mine if row.status == "completed"),
                 "skipped": sum(1 for row in mine if row.status == "skipped"),
                 "average_service_minutes": round(sum(services, timedelta()).total_seconds() / 60 / len(services), 1)
                 if services else None},
    }


def _ticket_row(ticket: Ticket, now: datetime) -> dict:
    """What the window needs of a ticket: no name, no phone, no id number."""
    return {"id": ticket.id, "number": ticket.display, "queue_id": ticket.queue_id,
            "lane": LANE_NAMES[ticket.lane], "priority_reason": ticket.priority_reason, "source": ticket.source,
            "item_code": ticket.item_code, "appointment_id": ticket.appointment_id, "status": ticket.status,
            "call_count": ticket.call_count,
            "waited_minutes": max(0, int((now - ticket.queued_at).total_seconds() // 60))}
