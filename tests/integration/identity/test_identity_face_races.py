"""Real concurrency on PostgreSQL: one ID number, one challenge, one budget,
each raced from several connections at once."""

import secrets
import threading
from datetime import timedelta

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import sessionmaker

from identity import real_name
from identity import services as identity_services
from identity.face import challenges
from identity.face.config import FaceConfig
from identity.face.errors import ChallengeUsed, FaceCheckLocked, IdNumberTaken
from identity.face.models import FaceChallenge, FaceCheckBudget
from identity.id_numbers import make_id_number
from identity.models import Citizen
from identity.real_name_models import RealNameRecord
from mobile_api.clock import SystemClock
from mobile_api.crypto import PersonalDataCipher
from mobile_api.uow import working
from tests.conftest import servers_env

pytestmark = pytest.mark.postgres
CLOCK = SystemClock()


@pytest.fixture
def make_session(engine):
    return sessionmaker(bind=engine, expire_on_commit=False)


@pytest.fixture
def citizens(make_session):
    created = []

    def create(count):
        with make_session() as session:
            for _ in range(count):
                created.append(identity_services.create_citizen(session, CLOCK).id)
            session.commit()
        return created[-count:]

    yield create
    with make_session() as session:  # rows of these citizens go with them (ON DELETE CASCADE)
        session.execute(delete(Citizen).where(Citizen.id.in_(created)))
        session.commit()


def _race(count, work):
    barrier = threading.Barrier(count)
    outcomes = []

    def run(i):
        barrier.wait()
        try:
            work(i)
            outcomes.append("ok")
        except Exception as exc:  # noqa: BLE001 - the outcome is what is asserted
            outcomes.append(getattr(exc, "code", repr(exc)))

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_one_id_number_declared_by_six_citizens_at_once(make_session, citizens):
    ids = citizens(6)
    cipher = PersonalDataCipher(secrets.token_urlsafe(32))
    number = make_id_number("44190019900307" + f"{secrets.randbelow(1000):03d}")

    def declare(i):
        # Each racer is one unit of work, as a request would be.
        with make_session() as session, working(session, CLOCK):
            real_name.declare(session, cipher, identity_services.citizen_actor(session.get(Citizen, ids[i])),
                              CLOCK, "张三", number)

    outcomes = _race(6, declare)
    assert outcomes.count("ok") == 1
    assert outcomes.count(IdNumberTaken.code) == 5
    with make_session() as session:
        assert len(session.scalars(select(RealNameRecord).where(RealNameRecord.citizen_id.in_(ids))).all()) == 1


def test_one_challenge_spent_six_times_at_once(make_session, citizens):
    (citizen_id,) = citizens(1)
    cfg = FaceConfig()
    with make_session() as session:
        now = CLOCK.now()
        session.add(FaceChallenge(id=secrets.token_hex(16), citizen_id=citizen_id, actions=["turn_left", "turn_right"],
                                  created_at=now, expires_at=now + timedelta(seconds=60)))
        session.commit()
        challenge_id = session.scalar(select(FaceChallenge.id).where(FaceChallenge.citizen_id == citizen_id))
        actor = identity_services.citizen_actor(session.get(Citizen, citizen_id))

    def spend(_):
        with make_session() as session, working(session, CLOCK):
            challenges.reserve_attempt(session, actor, CLOCK, cfg, challenge_id)

    outcomes = _race(6, spend)
    assert outcomes.count("ok") == 1
    assert outcomes.count(ChallengeUsed.code) == 5
    with make_session() as session:
        assert session.get(FaceCheckBudget, citizen_id).failures == 1


def test_parallel_attempts_cannot_exceed_the_failure_budget(make_session, citizens):
    (citizen_id,) = citizens(1)
    cfg = FaceConfig(max_failures=3)
    with make_session() as session:
        now = CLOCK.now()
        ids = [secrets.token_hex(16) for _ in range(6)]
        for challenge_id in ids:
            session.add(FaceChallenge(id=challenge_id, citizen_id=citizen_id, actions=["turn_left", "turn_right"],
                                      created_at=now, expires_at=now + timedelta(seconds=60)))
        session.commit()
        actor = identity_services.citizen_actor(session.get(Citizen, citizen_id))

    def spend(i):
        with make_session() as session, working(session, CLOCK):
            challenges.reserve_attempt(session, actor, CLOCK, cfg, ids[i])

    outcomes = _race(6, spend)
    assert outcomes.count("ok") == 3
    assert outcomes.count(FaceCheckLocked.code) == 3
    with make_session() as session:
        assert session.get(FaceCheckBudget, citizen_id).failures == 3


def test_the_same_frames_submitted_twice_at_once_pass_only_once(make_session, citizens, redis_client):
    from config import load_config
    from identity.face.consent import CONSENT_TEXT_VERSION, give_consent
    from identity.face.local import verify_frames
    from identity.face.models import FaceAttempt, FaceConsent, FaceFrameDigest, FaceTemplate
    from identity.tokens import TokenService
    from tests.api.identity.face_photos import enrol_cached, frames_for

    (citizen_id,) = citizens(1)
    cipher = PersonalDataCipher(secrets.token_urlsafe(32))
    tokens = TokenService(load_config("testing", env=servers_env()), CLOCK, redis_client)
    number = make_id_number("44190019610804" + f"{secrets.randbelow(1000):03d}")
    cfg = FaceConfig(allowed_actions=("turn_left", "turn_right"))
    actions = ["turn_left", "turn_right"]
    ids = [secrets.token_hex(16) for _ in range(2)]
    with make_session() as session:
        actor = identity_services.citizen_actor(session.get(Citizen, citizen_id))
        real_name.declare(session, cipher, actor, CLOCK, "奥巴马", number)
        give_consent(session, actor, CLOCK, CONSENT_TEXT_VERSION)
        enrol_cached(session, cipher, number, clock=CLOCK)
        now = CLOCK.now()
        for challenge_id in ids:
            session.add(FaceChallenge(id=challenge_id, citizen_id=citizen_id, actions=actions, created_at=now,
                                      expires_at=now + timedelta(seconds=60)))
        session.commit()
    frames = frames_for(actions, variant=secrets.randbelow(5) + 1)
    results = []

    def submit(i):
        with make_session() as session, working(session, CLOCK):
            results.append(verify_frames(session, cipher, tokens, actor, CLOCK, cfg, ids[i], frames))

    try:
        assert _race(2, submit) == ["ok", "ok"]
        assert sorted(r.passed for r in results) == [False, True]
        (failed,) = [r for r in results if not r.passed]
        assert "重放" in failed.reasons[0]
    finally:
        with make_session() as session:
            digests = [d for d in session.scalars(select(FaceFrameDigest.digest)
                                                  .where(FaceFrameDigest.citizen_id == citizen_id))]
            session.execute(delete(FaceFrameDigest).where(FaceFrameDigest.digest.in_(digests)))
            session.execute(delete(FaceAttempt).where(FaceAttempt.challenge_id.in_(ids)))
            session.execute(delete(FaceConsent).where(FaceConsent.citizen_id == citizen_id))
            session.execute(delete(FaceTemplate).where(
                FaceTemplate.id_number_index == real_name.id_number_index(cipher, number)))
            session.commit()
