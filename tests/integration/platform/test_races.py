"""Real concurrency on PostgreSQL: several connections at once."""

import threading
import uuid
from datetime import datetime, timezone

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import sessionmaker

from config import load_config
from identity import services as identity_services
from identity.errors import TokenInvalid
from identity.models import Citizen, RefreshToken
from identity.tokens import TokenService
from mobile_api.uow import working
from mobile_api import outbox
from mobile_api.audit import AuditEntry  # noqa: F401  (table must exist)
from mobile_api.clock import SystemClock
from mobile_api.outbox import DeliveryOutcome, OutboxMessage
from tests.conftest import servers_env

pytestmark = pytest.mark.postgres


@pytest.fixture
def make_session(engine):
    return sessionmaker(bind=engine, expire_on_commit=False)


def test_one_refresh_token_spent_twice_at_once_gives_exactly_one_new_pair(make_session, redis_client):
    config = load_config("testing", env=servers_env())
    tokens = TokenService(config, SystemClock(), redis_client)
    with make_session() as session, working(session, SystemClock()):
        citizen = identity_services.create_citizen(session, SystemClock())
        pair = identity_services.issue_citizen_tokens(session, tokens, citizen, "app")
        citizen_id = citizen.id
    barrier = threading.Barrier(6)
    outcomes = []

    def spend():
        with make_session() as session:
            barrier.wait()
            try:
                with working(session, SystemClock()):
                    identity_services.refresh(session, tokens, pair.refresh_token)
                outcomes.append("ok")
            except TokenInvalid as exc:
                outcomes.append(exc.code)

    threads = [threading.Thread(target=spend) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert outcomes.count("ok") <= 1
        assert all(o in ("ok", "auth.refresh_reused") for o in outcomes)
        with make_session() as session:
            rows = session.scalars(select(RefreshToken).where(RefreshToken.principal_id == citizen_id,
                                                              RefreshToken.principal_kind == "citizen")).all()
            # Reuse was detected, so the whole family ends revoked.
            assert all(row.revoked_at is not None for row in rows)
    finally:
        with make_session() as session:
            session.execute(delete(RefreshToken).where(RefreshToken.principal_id == citizen_id,
                                                       RefreshToken.principal_kind == "citizen"))
            session.execute(delete(Citizen).where(Citizen.id == citizen_id))
            session.commit()


def test_two_outbox_workers_deliver_each_message_exactly_once(make_session):
    topic = f"race.{uuid.uuid4().hex[:8]}"
    delivered = []
    lock = threading.Lock()

    def deliver(session, message, now):
        with lock:
            delivered.append(message.id)
        return DeliveryOutcome("sent")

    outbox.register_handler(topic, deliver)
    now = datetime.now(timezone.utc)
    with make_session() as session:
        ids = [outbox.enqueue(session, topic, {"n": i}, now).id for i in range(40)]
        session.commit()
    barrier = threading.Barrier(2)

    def work(worker_id):
        barrier.wait()
        with make_session() as session:
            while outbox.work_once(session, worker_id, datetime.now(timezone.utc), limit=5):
                pass

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(2)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(delivered) == sorted(ids)
        with make_session() as session:
            statuses = set(session.scalars(select(OutboxMessage.status).where(OutboxMessage.topic == topic)))
        assert statuses == {"sent"}
    finally:
        outbox._HANDLERS.pop(topic, None)
        with make_session() as session:
            session.execute(delete(OutboxMessage).where(OutboxMessage.topic == topic))
            session.commit()
