"""Delivering `staff.notify` outbox messages: into every recipient's in-app
inbox, and as a 企业微信 (WeCom) application message to those who bound a
WeCom member id.

The inbox rows are written first (unique per message and recipient, so a
retried message adds nobody twice) and are committed with the outcome, also
when WeCom is down: a notice is in the inbox from the first attempt on. The
WeCom send goes to the rows still `pending`, in one call (`touser` joins the
member ids). Unlike a citizen's subscribe message (one grant, at most once),
a staff notice may be sent twice rather than not at all: a read timeout is
retried like any other retryable failure, so a worker that dies after WeCom
accepted the message but before the commit repeats it. Retries, back-off and
the dead letter are the outbox's (`mobile_api.outbox`); on the last attempt
the rows are marked failed and the message is dead-lettered (listed by
`flask jobs status`, sent again by `flask outbox retry`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

import requests
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session
from wechatpy.exceptions import WeChatClientException

from identity.staff_directory import notice_recipients
from mobile_api.outbox import DeliveryOutcome, OutboxMessage

from ..gateway import translate
from .models import StaffNotice
from .notices import message_text, render

log = logging.getLogger("wechat.work.delivery")

STAFF_NOTIFY = "staff.notify"
_EXPECTED = (WeChatClientException, requests.exceptions.RequestException, ValueError, KeyError, TypeError)


@dataclass
class NoticeConfig:
    client: object | None  # a WeComClient; None: WeCom not configured, inbox only
    agent_id: int
    link: str | None = None


def _addressees(payload: dict) -> dict:
    staff_ids = payload.get("staff_ids")
    if not isinstance(staff_ids, list):
        staff_ids = [payload["staff_id"]] if isinstance(payload.get("staff_id"), int) else None
    hall_id = payload.get("hall_id")
    department = payload.get("department_code")
    return {"staff_ids": staff_ids,
            "department_code": department if isinstance(department, str) and department else None,
            "hall_id": hall_id if isinstance(hall_id, int) and not isinstance(hall_id, bool) else None}


def deliver_staff_notice(session: Session, message: OutboxMessage, now: datetime,
                         config: NoticeConfig) -> DeliveryOutcome:
    payload = message.payload if isinstance(message.payload, dict) else {}
    event = str(payload.get("event") or "notice")[:64]
    data = payload.get("data") if isinstance(payload.get("data"), dict) else {}
    recipients = notice_recipients(session, **_addressees(payload))
    if not recipients:
        return DeliveryOutcome("skipped", "no active staff to notify")
    title, body = render(event, data)
    for person in recipients:
        bound = config.client is not None and person.wecom_userid
        session.execute(insert(StaffNotice).values(
            outbox_message_id=message.id, staff_id=person.staff_id, event=event, title=title[:128], body=body,
            data=data, created_at=now, wecom_userid=person.wecom_userid if bound else None,
            wecom_status="pending" if bound else "unbound",
        ).on_conflict_do_nothing(index_elements=["outbox_message_id", "staff_id"]))
    pending = list(session.execute(select(StaffNotice.id, StaffNotice.wecom_userid).where(
        StaffNotice.outbox_message_id == message.id, StaffNotice.wecom_status == "pending")))
    summary = {"inbox": len(recipients), "wecom": len(pending)}
    if not pending:
        return DeliveryOutcome("sent", None, summary)
    userids = sorted({userid for _, userid in pending})
    try:
        answer = config.client.message.send_text(config.agent_id, userids, message_text(title, body, config.link))
    except _EXPECTED as exc:
        problem = translate(exc, "发送企业微信工作通知")
        reason = f"{getattr(problem, 'reason', problem.code)}: {problem.detail}"[:500]
        if getattr(problem, "retryable", False) and message.attempts < message.max_attempts:
            return DeliveryOutcome("retry", reason, summary)
        if getattr(problem, "retryable", False):
            reason = f"gave up after {message.attempts} attempts: {reason}"[:500]
        _mark(session, message.id, None, "failed", reason, now)
        return DeliveryOutcome("failed", reason, summary)
    invalid = {u for u in str((answer or {}).get("invaliduser") or "").split("|") if u}
    if invalid:
        _mark(session, message.id, invalid, "failed", "企业微信不认识该成员，或不在应用的可见范围内", now)
    _mark(session, message.id, None, "sent", None, now)
    summary.update(msgid=(answer or {}).get("msgid"), invalid=sorted(invalid))
    return DeliveryOutcome("sent", f"invalid members: {sorted(invalid)}" if invalid else None, summary)


def _mark(session: Session, message_id: int, userids, status: str, error: str | None, now) -> None:
    stmt = update(StaffNotice).where(StaffNotice.outbox_message_id == message_id,
                                     StaffNotice.wecom_status == "pending")
    if userids is not None:
        stmt = stmt.where(StaffNotice.wecom_userid.in_(sorted(userids)))
    values = {"wecom_status": status, "wecom_error": error}
    if status == "sent":
        values["wecom_sent_at"] = now
    session.execute(stmt.values(**values).execution_options(synchronize_session=False))
