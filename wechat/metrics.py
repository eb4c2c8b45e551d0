"""WeChat's contribution to /metrics: subscribe messages not sent on purpose,
read from `wechat_message_deliveries` at scrape time.

- `fingertip_wechat_notices_dropped{event, reason}`: notices no longer true
  when a worker reached them (a reminder after its slot started, for an
  appointment no longer booked, a call for a ticket that left the window);
- `fingertip_wechat_grants_kept{event}`: lower-priority messages that left
  the citizen's last grant for a more important one (services/priority.py).
"""

from __future__ import annotations

from sqlalchemy import func, select

from .models import MessageDelivery
from .services.delivery import DROPPED
from .services.priority import KEPT_FOR_MORE_IMPORTANT


def _skipped(app, condition):
    with app.extensions["db"].new_session() as session:
        return session.execute(select(MessageDelivery.event, MessageDelivery.reason, func.count())
                               .where(MessageDelivery.status == "skipped", condition)
                               .group_by(MessageDelivery.event, MessageDelivery.reason)
                               .order_by(MessageDelivery.event, MessageDelivery.reason)).all()


def dropped(app):
    return [((event, reason[len(DROPPED):]), count)
            for event, reason, count in _skipped(app, MessageDelivery.reason.startswith(DROPPED))]


def grants_kept(app):
    return [((event,), count) for event, _reason, count in
            _skipped(app, MessageDelivery.reason == KEPT_FOR_MORE_IMPORTANT)]


def register(app) -> None:
    from mobile_api.metrics import register_gauge_source

    register_gauge_source(app, "fingertip_wechat_notices_dropped",
                          "投递时已不再成立而未发送的订阅消息数 (按事件与原因)", ["event", "reason"], dropped)
    register_gauge_source(app, "fingertip_wechat_grants_kept",
                          "为更重要的消息保留最后一次订阅授权而未发送的低优先级消息数 (按事件)", ["event"], grants_kept)
