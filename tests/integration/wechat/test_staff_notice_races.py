"""On PostgreSQL with real concurrency: one 企业微信 member id binds to one
staff member however many admins try at once, and a staff notice held by
two workers at once gives every recipient one inbox row and one message."""

from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from identity import services as identity_services
from identity.errors import WeComUserIdTaken
from identity.models import StaffUser
from identity.staff_directory import set_wecom_userid
from mobile_api import outbox
from mobile_api.actor import SYSTEM
from mobile_api.outbox import OutboxMessage
from mobile_api.uow import working
from wechat.transport import WSGIAdapter
from wechat.work.client import WeComClient
from wechat.work.delivery import NoticeConfig, deliver_staff_notice
from wechat.work.models import StaffNotice
from wechat.work.settings import STANDIN_BASE_URL
from wechat.work.standin import WeComStandInControl, create_wecom_standin

pytestmark = pytest.mark.postgres
CORP, SECRET, AGENT = "wwracecorp", "race-secret", 1000009


def _in_threads(count: int, fn) -> list:
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(index):
        barrier.wait(timeout=10)
        try:
            results[index] = fn(index)
        except Exception as exc:  # returned, asserted below
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.fixture
def staff(engine, clock):
    tag = uuid.uuid4().hex[:8]
    with Session(engine) as session:
        people = [identity_services.create_staff(session, clock, f"race{tag}{n}", "Race-password-2026!", "admin",
                                                 f"并发{n}", "canlian", None, scrypt_n=1024) for n in range(6)]
        session.commit()
        ids = [p.id for p in people]
    yield ids
    with Session(engine) as session:
        messages = list(session.scalars(select(StaffNotice.outbox_message_id).where(StaffNotice.staff_id.in_(ids))))
        session.execute(delete(StaffNotice).where(StaffNotice.staff_id.in_(ids)))
        session.execute(delete(OutboxMessage).where(OutboxMessage.id.in_(messages)))
        session.execute(delete(StaffUser).where(StaffUser.id.in_(ids)))
        session.commit()


def test_six_bindings_of_one_member_id_at_once_leave_exactly_one(engine, staff, clock):
    userid = f"race.{uuid.uuid4().hex[:8]}"

    def bind(index):
        with Session(engine) as session, working(session, clock):
            set_wecom_userid(session, clock, SYSTEM, session.get(StaffUser, staff[index]), userid)
        return "bound"

    results = _in_threads(6, bind)
    assert results.count("bound") == 1
    assert all(isinstance(r, WeComUserIdTaken) for r in results if r != "bound")
    with Session(engine) as session:
        assert session.scalars(select(StaffUser.id).where(StaffUser.wecom_userid == userid)).all() == [
            staff[results.index("bound")]]


def test_a_notice_held_by_two_workers_at_once_lands_once_per_recipient(engine, staff, clock, redis_client):
    standin = create_wecom_standin(redis_client, CORP, SECRET, AGENT)
    client = WeComClient(CORP, SECRET, STANDIN_BASE_URL, redis_client, 5,
                         WSGIAdapter(standin.wsgi_app, STANDIN_BASE_URL))
    config = NoticeConfig(client, AGENT)
    control = WeComStandInControl(redis_client)
    before = len(control.sent_messages())
    with Session(engine) as session:
        for n, staff_id in enumerate(staff[:3]):
            session.get(StaffUser, staff_id).wecom_userid = f"racer{n}.{staff_id}"
        message = outbox.enqueue(session, "staff.notify", {"staff_ids": staff, "event": "case_urged",
                                                           "data": {"case_id": 1}}, clock.now())
        session.commit()
        message_id = message.id

    def deliver(index):
        with Session(engine, expire_on_commit=False) as session, working(session, clock):
            return deliver_staff_notice(session, session.get(OutboxMessage, message_id), clock.now(), config).status

    assert _in_threads(2, deliver) == ["sent", "sent"]
    with Session(engine) as session:
        rows = session.execute(select(StaffNotice.staff_id, StaffNotice.wecom_status)
                               .where(StaffNotice.outbox_message_id == message_id)).all()
    assert sorted(rows) == sorted([(s, "sent") for s in staff[:3]] + [(s, "unbound") for s in staff[3:]])
    assert len(control.sent_messages()) - before == 1
