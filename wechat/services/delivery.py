"""Delivering `citizen.notify` outbox messages as WeChat subscribe messages.

At most once, even with two workers holding the same outbox message (the
outbox's claim prevents that, a lease that ran out could not): one
`MessageDelivery` row per outbox message id (unique) records what happened,
and every step moves it with a conditional UPDATE on its status; the grant is
taken with a conditional UPDATE too. The row and the taken grant are committed
*before* WeChat is called (the one named commit point here), so a crash
mid-call leaves a row in `sending`, which is never sent again (its outcome is
unknown), rather than a second message. Every other outcome is committed by
the outbox worker together with the message's own status.

Before a grant is taken, and again before a retried send, the package that
wrote the notice is asked whether it still holds
(`mobile_api.hooks.notice_obsolete`): a reminder for a slot that has
started or an appointment no longer booked is skipped as "dropped: <why>",
never sent late. Which message gets a grant when several share a template
is decided by priority (`priority.py`).

Outcomes: sent; skipped (no grant, grant kept for a more important message,
dropped as no longer true, no mini-program account, account closed);
retry (WeChat busy, rate limited, unreachable: the grant stays reserved for
this message); failed with the reason (refused by WeChat, gave up after the
outbox's last attempt, or an answer we never got).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from identity.models import Citizen
from mobile_api import hooks
from mobile_api.errors import DomainError
from redis.exceptions import ConnectionError as RedisConnectionError, TimeoutError as RedisTimeoutError
from mobile_api.outbox import DeliveryOutcome, OutboxMessage
from mobile_api.uow import commit_point

from ..errors import WeChatUnavailable, tag
from ..models import MessageDelivery, SubscriptionGrant, WeChatAccount
from ..settings import EVENTS
from .priority import KEPT_FOR_MORE_IMPORTANT, grants_to_keep
from .templates import template_data

log = logging.getLogger("wechat.delivery")

USER_REFUSED = 43101  # the user withdrew the subscription: the grant is spent
NO_GRANT = "no unused subscription grant for this template"
DROPPED = "dropped: "  # a notice no longer true at delivery (hooks.notice_obsolete); counted on /metrics
BEFORE_SENDING = "a delivery in `sending` and its grant stand before WeChat is called, so a crash never sends twice"


class DeliveryConfig:
    def __init__(self, gateway, templates: dict[str, str], page: str, state: str, timeout_seconds: float = 5):
        self.gateway = gateway
        self.templates = templates
        self.page = page
        self.state = state
        # A row in `sending` younger than this may still be waiting for WeChat
        # in another worker; older, that worker is gone.
        self.in_flight = timedelta(seconds=2 * timeout_seconds + 30)


def deliver_citizen_notification(session: Session, message: OutboxMessage, now: datetime,
                                 config: DeliveryConfig) -> DeliveryOutcome:
    payload = message.payload if isinstance(message.payload, dict) else {}
    event = str(payload.get("event") or "")
    row = session.scalar(select(MessageDelivery).where(MessageDelivery.outbox_message_id == message.id))
    if row is None:
        row, outcome = _first_attempt(session, message, payload, event, now, config)
        if outcome is not None:
            return outcome
    else:
        outcome = _resume(session, row, now, config)
        if outcome is not None:
            return outcome
    return _send(session, message, row, payload, now, config)


def _final(row: MessageDelivery) -> DeliveryOutcome:
    return DeliveryOutcome(row.status, row.reason, {"delivery_id": row.id, "status": row.status})


def _first_attempt(session, message, payload, event, now, config):
    try:
        with session.begin_nested():
            row, outcome = _record_first_attempt(session, message, payload, event, now, config)
    except IntegrityError:
        # Another worker holds this message: it took a grant for it (unique
        # used_by_message_id) or recorded it (unique outbox_message_id) first,
        # and it decides the outcome. Only the savepoint is undone.
        return None, DeliveryOutcome("retry", "another worker is delivering this message")
    if outcome is None:
        commit_point(session, BEFORE_SENDING)
    return row, outcome


def _record_first_attempt(session, message, payload, event, now, config):
    citizen_id = payload.get("citizen_id")
    row = MessageDelivery(outbox_message_id=message.id, event=event[:64] or "?", status="sending", attempts=1,
                          created_at=now, updated_at=now)
    problem = None
    if event not in EVENTS or not isinstance(payload.get("data", {}), dict):
        problem = ("failed", f"unknown event or malformed payload: {event!r}")
    elif not isinstance(citizen_id, int) or isinstance(citizen_id, bool):
        problem = ("failed", "payload has no integer citizen_id")
    else:
        data = payload.get("data") or {}
        citizen = session.get(Citizen, citizen_id)
        stale = hooks.notice_obsolete(session, event, data, now)
        if stale is not None:
            problem = ("skipped", f"{DROPPED}{stale}")
        elif citizen is None or citizen.status != "active":
            problem = ("skipped", "citizen account closed or unknown")
        else:
            row.citizen_id = citizen_id
            row.template_id = config.templates.get(event)
            if not _miniprogram_account(session, citizen_id, config):
                problem = ("skipped", "no mini-program account to send to")
            else:
                keep = grants_to_keep(event, data, row.template_id, config.templates) if row.template_id else 0
                row.grant_id, refusal = _take_grant(session, citizen_id, row.template_id, message.id, now, keep)
                if row.grant_id is None:
                    problem = ("skipped", refusal)
    if problem is not None:
        row.status, row.reason = problem
    session.add(row)
    return row, (_final(row) if problem is not None else None)


def _resume(session, row, now, config):
    if row.status in ("sent", "skipped", "failed"):
        return _final(row)  # already decided: never send twice
    if row.status == "sending" and row.updated_at > now - config.in_flight:
        return DeliveryOutcome("retry", "another worker is delivering this message")
    if row.status == "sending":
        # A previous attempt stopped between taking the grant and recording
        # the answer: WeChat may have delivered, so do not send again.
        _move(session, row, "sending", "failed", now, "outcome unknown: an earlier attempt was interrupted")
        return _final(session.get(MessageDelivery, row.id, populate_existing=True))
    payload = message_payload(session, row)
    stale = hooks.notice_obsolete(session, row.event, payload.get("data") or {}, now)
    if stale is not None:
        # A retry waited past the notice's moment: drop it, free the grant.
        if _move(session, row, "retry", "skipped", now, f"{DROPPED}{stale}"):
            _release_grant(session, row)
        return _final(session.get(MessageDelivery, row.id, populate_existing=True))
    if not _move(session, row, "retry", "sending", now, row.reason, attempt=True):
        return DeliveryOutcome("retry", "another worker is delivering this message")
    commit_point(session, BEFORE_SENDING)
    return None


def message_payload(session, row) -> dict:
    message = session.get(OutboxMessage, row.outbox_message_id)
    payload = message.payload if message is not None else None
    return payload if isinstance(payload, dict) else {}


def _release_grant(session, row) -> None:
    if row.grant_id is not None:
        session.execute(update(SubscriptionGrant)
                        .where(SubscriptionGrant.id == row.grant_id,
                               SubscriptionGrant.used_by_message_id == row.outbox_message_id)
                        .values(used_at=None, used_by_message_id=None))


def _send(session, message, row, payload, now, config):
    account = _miniprogram_account(session, row.citizen_id, config)
    try:
        if account is None:
            raise LookupError("mini-program account removed")
        answer = config.gateway.send_subscribe(account.openid, row.template_id,
                                               template_data(row.event, payload.get("data") or {}),
                                               (payload.get("data") or {}).get("page") or config.page, config.state)
    except DomainError as exc:
        return _after_error(session, message, row, now, exc)
    except (RedisConnectionError, RedisTimeoutError) as exc:
        # The shared access token could not be read or stored: nothing was sent.
        return _after_error(session, message, row, now,
                            tag(WeChatUnavailable("缓存服务暂时不可用"), None, f"redis: {exc!r}"[:200], True))
    except Exception as exc:  # a bug or an unexpected answer: do not risk a duplicate
        log.exception("subscribe message send failed unexpectedly", extra={"message_id": message.id})
        _move(session, row, "sending", "failed", now, f"unexpected error: {exc!r}"[:500])
        return DeliveryOutcome("failed", f"unexpected error: {exc!r}"[:500])
    if not _move(session, row, "sending", "sent", now, None):
        log.error("delivery row changed while sending", extra={"message_id": message.id})
    return DeliveryOutcome("sent", None, {"delivery_id": row.id, "msgid": answer.get("msgid")})


def _after_error(session, message, row, now, exc: DomainError) -> DeliveryOutcome:
    errcode = getattr(exc, "errcode", None)
    reason = f"{getattr(exc, 'reason', exc.code)}: {exc.detail}"[:500]
    if getattr(exc, "ambiguous", False):
        reason = f"outcome unknown, not retried to avoid a duplicate ({reason})"[:500]
        _move(session, row, "sending", "failed", now, reason, errcode=errcode)
        return DeliveryOutcome("failed", reason)
    last_attempt = message.attempts >= message.max_attempts
    if getattr(exc, "retryable", False) and not last_attempt:
        _move(session, row, "sending", "retry", now, reason, errcode=errcode)
        return DeliveryOutcome("retry", reason)
    if last_attempt and getattr(exc, "retryable", False):
        reason = f"gave up after {message.attempts} attempts: {reason}"[:500]
    _move(session, row, "sending", "failed", now, reason, errcode=errcode)
    if errcode != USER_REFUSED:
        _release_grant(session, row)  # nothing reached the citizen: the grant may serve a later message
    return DeliveryOutcome("failed", reason)


def _move(session, row, from_status: str, to_status: str, now, reason, errcode=None, attempt=False) -> bool:
    values = {"status": to_status, "reason": reason, "updated_at": now}
    if errcode is not None:
        values["errcode"] = errcode
    if attempt:
        values["attempts"] = MessageDelivery.attempts + 1
    result = session.execute(update(MessageDelivery)
                             .where(MessageDelivery.id == row.id, MessageDelivery.status == from_status)
                             .values(**values).execution_options(synchronize_session=False))
    return result.rowcount == 1


def _miniprogram_account(session, citizen_id, config) -> WeChatAccount | None:
    return session.scalar(select(WeChatAccount).where(WeChatAccount.citizen_id == citizen_id,
                                                      WeChatAccount.appid == config.gateway.miniprogram_appid))


def _take_grant(session, citizen_id: int, template_id: str | None, message_id: int, now,
                keep: int) -> tuple[int | None, str]:
    """The oldest unused grant, unless only `keep` are left (kept for more
    important messages). The citizen's unused grants for the template are
    locked first, so two deliveries at once count them one after the other."""
    if not template_id:
        return None, NO_GRANT
    unused = list(session.scalars(select(SubscriptionGrant.id)
                                  .where(SubscriptionGrant.citizen_id == citizen_id,
                                         SubscriptionGrant.template_id == template_id,
                                         SubscriptionGrant.used_at.is_(None))
                                  .order_by(SubscriptionGrant.id).with_for_update()))
    if not unused:
        return None, NO_GRANT
    if len(unused) <= keep:
        return None, KEPT_FOR_MORE_IMPORTANT
    session.execute(update(SubscriptionGrant).where(SubscriptionGrant.id == unused[0])
                    .values(used_at=now, used_by_message_id=message_id)
                    .execution_options(synchronize_session=False))
    return unused[0], ""
