"""Check-in: an appointment becomes a ticket ahead of walk-ins.

At a kiosk the citizen shows the QR payload; on the phone, the citizen's own
token plus a position near the hall. The move from `booked` to `checked_in`
is a conditional UPDATE that also matches the QR nonce, so a payload checks in
once, and not at all after cancellation or a reschedule.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from mobile_api import audit
from mobile_api.actor import Actor
from mobile_api.clock import LOCAL_TZ
from mobile_api.errors import Forbidden, Unprocessable

from .. import qr
from ..calendar import distance_meters
from ..errors import (AppointmentNotFound, CheckInTooEarly, CheckInTooLate, QrInvalid, QrUsed, TooFarFromHall,
                      WrongHall)
from ..models import LANE_APPOINTMENT, Appointment, HallQueue, Ticket
from ..policy import Policy
from .places import release_active
from .common import get_row, get_hall, local_today
from .tickets import new_ticket, resolve_priority


def check_in(session: Session, actor: Actor, clock, policy: Policy, *, qr_payload: str | None = None,
             appointment_id: int | None = None, lat: float | None = None, lng: float | None = None,
             priority_reason: str | None = None, priority_note: str | None = None) -> Ticket:
    now = clock.now()
    if actor.kind == "kiosk":
        if not qr_payload:
            raise Unprocessable("自助终端签到需要预约二维码", errors={"qr_payload": ["缺少必填字段"]})
        verified = qr.verify(policy.qr_key, qr_payload)
        if verified is None:
            raise QrInvalid("签到码无法识别或已被篡改")
        appointment_id, nonce = verified
        appointment = get_row(session, Appointment, appointment_id)
        if appointment is None:
            raise QrInvalid("签到码无法识别或已被篡改")
        if appointment.hall_id != actor.hall_id:
            raise WrongHall("该预约不在本大厅，请到预约的大厅签到")
        if appointment.qr_nonce != nonce:
            raise QrUsed("签到码已失效（预约已改约），请使用最新的签到码")
    elif actor.kind == "citizen":
        if appointment_id is None or lat is None or lng is None:
            raise Unprocessable("手机签到需要预约编号和当前位置",
                                errors={"appointment_id": ["缺少必填字段"]} if appointment_id is None
                                else {"lat": ["缺少必填字段"], "lng": ["缺少必填字段"]})
        appointment = get_row(session, Appointment, appointment_id)
        if appointment is None or appointment.citizen_id != actor.id:
            raise AppointmentNotFound("预约不存在")
        hall = get_hall(session, appointment.hall_id)
        distance = distance_meters(lat, lng, hall.lat, hall.lng)
        if distance > policy.check_in_radius_m:
            raise TooFarFromHall(f"您距{hall.name}约 {int(distance)} 米，请到大厅 {policy.check_in_radius_m} 米内签到")
        if priority_reason is not None:
            raise Forbidden("绿色通道须在自助终端或窗口由现场确认", code="booking.priority_on_site_only")
        nonce = appointment.qr_nonce
    else:
        raise Forbidden("仅自助终端或市民本人可以签到")

    if appointment.status != "booked":
        raise QrUsed({"checked_in": "该预约已签到", "cancelled": "该预约已取消",
                      "no_show": "该预约已过签到时间（爽约）"}.get(appointment.status, "签到码已失效"))
    local = appointment.starts_at.astimezone(LOCAL_TZ)
    if now < appointment.starts_at - policy.check_in_early:
        opens = (appointment.starts_at - policy.check_in_early).astimezone(LOCAL_TZ)
        raise CheckInTooEarly(f"预约时间为 {local:%m月%d日 %H:%M}，请于 {opens:%m月%d日 %H:%M} 之后签到",
                              extra={"check_in_from": opens.isoformat()})
    if now > appointment.starts_at + policy.check_in_late:
        raise CheckInTooLate(f"预约时间为 {local:%H:%M}，已超过签到时限，请重新取号或预约")

    done = session.execute(update(Appointment).where(Appointment.id == appointment.id,
                                                     Appointment.status == "booked", Appointment.qr_nonce == nonce)
                           .values(status="checked_in", checked_in_at=now))
    if done.rowcount != 1:
        raise QrUsed("签到码已使用或已失效")
    release_active(session, [appointment.citizen_id])
    reason = resolve_priority(session, policy, local_today(now), appointment.citizen_id, priority_reason)
    queue = session.get(HallQueue, appointment.queue_id)
    details = {"priority_reason": reason, "priority_declared": priority_reason is not None,
               "hall_id": appointment.hall_id, "queue": queue.prefix}

    def audit_entries(ticket_id: int) -> None:
        audit.record(session, actor, "booking.check_in", "appointment", appointment.id,
                     dict(details, ticket_id=ticket_id), at=now)
        audit.record(session, actor, "booking.ticket_issue", "ticket", ticket_id,
                     dict(details, appointment_id=appointment.id), at=now)

    return new_ticket(session, now, queue, lane=LANE_APPOINTMENT, source="appointment",
                      citizen_id=appointment.citizen_id, item_code=appointment.item_code,
                      appointment_id=appointment.id, priority_reason=reason, priority_note=priority_note,
                      audit_entries=audit_entries)
