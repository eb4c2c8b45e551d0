"""Two outbox workers against one PostgreSQL: a subscribe message goes out
once, and a grant serves one message, however the workers interleave."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from identity import services as identity_services
from identity.models import Citizen
from mobile_api import outbox
from mobile_api.clock import FrozenClock
from mobile_api.outbox import OutboxMessage
from mobile_api.uow import working
from wechat.gateway import WeChatGateway
from wechat.models import MessageDelivery, SubscriptionGrant, WeChatAccount
from wechat.services.delivery import DeliveryConfig, deliver_citizen_notification
from wechat.settings import STANDIN_BASE_URL
from wechat.standin import StandInControl, create_standin_app
from wechat.standin.identities import openid_for
from wechat.transport import WSGIAdapter

pytestmark = pytest.mark.postgres

MP = ("wxtwoworkers0000001", "mp-secret")
APP = ("wxtwoworkers0000002", "app-secret")
TEMPLATE = "tmpl-two-workers"


@pytest.fixture
def world(engine, redis_client, clock):
    standin = create_standin_app(redis_client, dict([MP, APP]))
    gateway = WeChatGateway(base_url=STANDIN_BASE_URL, miniprogram=MP, app=APP, redis=redis_client, timeout=5,
                            transport=WSGIAdapter(standin.wsgi_app, STANDIN_BASE_URL))
    config = DeliveryConfig(gateway, {"booking_confirmed": TEMPLATE}, "pages/index/index", "formal")
    control = StandInControl(redis_client)
    redis_client.hset("wxstandin:openids:" + MP[0], openid_for(MP[0], "pat"), "pat")
    with Session(engine) as session:
        citizen = identity_services.create_citizen(session, clock)
        session.add(WeChatAccount(citizen_id=citizen.id, channel="miniprogram", appid=MP[0],
                                  openid=openid_for(MP[0], "pat"), created_at=clock.now(), last_login_at=clock.now()))
        session.commit()
        citizen_id = citizen.id
    yield config, control, citizen_id
    with Session(engine) as session:
        ids = list(session.scalars(select(MessageDelivery.outbox_message_id)
                                   .where(MessageDelivery.citizen_id == citizen_id)))
        for model in (MessageDelivery, SubscriptionGrant, WeChatAccount):
            session.execute(delete(model).where(model.citizen_id == citizen_id))
        session.execute(delete(OutboxMessage).where(OutboxMessage.id.in_(ids)))
        session.execute(delete(OutboxMessage).where(OutboxMessage.payload["citizen_id"].as_integer() == citizen_id))
        session.execute(delete(Citizen).where(Citizen.id == citizen_id))
        session.commit()


def _setup(engine, clock, citizen_id, grants: int, messages: int) -> list[int]:
    with Session(engine) as session:
        for _ in range(grants):
            session.add(SubscriptionGrant(citizen_id=citizen_id, template_id=TEMPLATE, granted_at=clock.now()))
        ids = []
        for n in range(messages):
            message = outbox.enqueue(session, outbox.CITIZEN_NOTIFY, {
                "citizen_id": citizen_id, "event": "booking_confirmed", "data": {"item_name": f"事项{n}"}},
                clock.now())
            session.flush()
            ids.append(message.id)
        session.commit()
    return ids


def _in_threads(count: int, fn) -> list:
    barrier = threading.Barrier(count)
    results: list = [None] * count
    errors: list = []

    def run(index):
        try:
            barrier.wait(timeout=10)
            results[index] = fn(index)
        except Exception as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    return results


def _outbox_worker(engine, clock, *, rounds: int, limit: int):
    """What one outbox worker process does: `rounds` claims of up to `limit`
    messages, each in a session of its own; the outcome counts."""
    def work(index):
        counts: dict = {}
        for _ in range(rounds):
            with Session(engine, expire_on_commit=False) as session:
                for status, n in outbox.work_once(session, f"worker-{index}", clock.now(), limit=limit).items():
                    counts[status] = counts.get(status, 0) + n
        return counts
    return work

def test_two_workers_send_each_message_once(engine, world, clock):
    config, control, citizen_id = world
    outbox.register_handler(outbox.CITIZEN_NOTIFY, lambda s, m, now: deliver_citizen_notification(s, m, now, config))
    _setup(engine, clock, citizen_id, grants=3, messages=5)

    results = _in_threads(2, _outbox_worker(engine, clock, rounds=3, limit=2))
    total = {k: sum(r.get(k, 0) for r in results) for k in ("sent", "skipped")}
    assert total == {"sent": 3, "skipped": 2}
    assert len(control.sent_messages(MP[0])) == 3


def test_a_message_held_by_two_workers_at_once_is_sent_once(engine, world, clock):
    """The outbox claim normally prevents this; a lease that ran out could
    not, so the delivery itself must hold."""
    config, control, citizen_id = world
    [message_id] = _setup(engine, clock, citizen_id, grants=2, messages=1)

    def deliver(index):
        # As the outbox worker does: the handler's outcome commits with the message.
        with Session(engine, expire_on_commit=False) as session, working(session, clock):
            message = session.get(OutboxMessage, message_id)
            return deliver_citizen_notification(session, message, clock.now() + timedelta(seconds=index), config)

    outcomes = _in_threads(2, deliver)
    assert sorted(o.status for o in outcomes) == ["retry", "sent"]
    assert len(control.sent_messages(MP[0])) == 1
    with Session(engine) as session:
        used = session.scalars(select(SubscriptionGrant.used_by_message_id)
                               .where(SubscriptionGrant.citizen_id == citizen_id)).all()
        assert sorted(used, key=lambda v: v is None) == [message_id, None]  # one grant used, one left


def test_two_workers_never_spend_the_grant_kept_for_a_more_important_message(engine, world, clock):
    """Confirmations share the template with reminders here: of two grants
    they may spend one, however many workers count them at once (the
    citizen's unused grants are locked while counted)."""
    config, control, citizen_id = world
    shared = DeliveryConfig(config.gateway, {"booking_confirmed": TEMPLATE, "booking_reminder": TEMPLATE},
                            "pages/index/index", "formal")
    outbox.register_handler(outbox.CITIZEN_NOTIFY, lambda s, m, now: deliver_citizen_notification(s, m, now, shared))
    _setup(engine, clock, citizen_id, grants=2, messages=6)

    results = _in_threads(3, _outbox_worker(engine, clock, rounds=4, limit=1))
    total = {k: sum(r.get(k, 0) for r in results) for k in ("sent", "skipped")}
    assert total == {"sent": 1, "skipped": 5}
    assert len(control.sent_messages(MP[0])) == 1
    with Session(engine) as session:
        unused = session.scalars(select(SubscriptionGrant.id).where(SubscriptionGrant.citizen_id == citizen_id,
                                                                    SubscriptionGrant.used_at.is_(None))).all()
        assert len(unused) == 1
