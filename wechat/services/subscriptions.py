"""One-time subscribe-message grants: each "accept" the mini-program reports
from wx.requestSubscribeMessage allows exactly one message with that
template."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mobile_api import audit
from mobile_api.actor import Actor

from ..errors import UnknownTemplate
from ..models import SubscriptionGrant


def available_grants(session: Session, citizen_id: int, templates: dict[str, str]) -> list[dict]:
    counts = dict(session.execute(
        select(SubscriptionGrant.template_id, func.count(SubscriptionGrant.id))
        .where(SubscriptionGrant.citizen_id == citizen_id, SubscriptionGrant.used_at.is_(None))
        .group_by(SubscriptionGrant.template_id)).all())
    return [{"event": event, "template_id": template_id, "available": counts.get(template_id, 0)}
            for event, template_id in templates.items()]


def record_grants(session: Session, clock, actor: Actor, templates: dict[str, str],
                  results: dict[str, str]) -> list[dict]:
    """`results`: {template_id: accept | reject | ban | filter}, as the
    mini-program received them."""
    known = set(templates.values())
    unknown = sorted(t for t in results if t not in known)
    if unknown:
        raise UnknownTemplate("包含本平台未使用的订阅消息模板",
                              errors={"results": {t: ["未知的模板 id"] for t in unknown}})
    now = clock.now()
    accepted = sorted(t for t, outcome in results.items() if outcome == "accept")
    for template_id in accepted:
        session.add(SubscriptionGrant(citizen_id=actor.id, template_id=template_id, granted_at=now))
    audit.record(session, actor, "wechat.subscription_grant", "citizen", actor.id,
                 {"accepted": accepted, "declined": sorted(t for t in results if t not in accepted)}, at=now)
    session.flush()
    return available_grants(session, actor.id, templates)
