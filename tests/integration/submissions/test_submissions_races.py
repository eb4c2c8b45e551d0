"""Two staff acting on one application at the same moment, on real PostgreSQL
connections: exactly one wins, the other gets a 409, and the row moved once."""

from __future__ import annotations

import threading
import uuid
from datetime import datetime, timezone

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import sessionmaker

from guides.convert import item_row_values, material_row_values
from guides.models import Department, Material, ServiceItem
from guides.services import read_sample_data
from identity import services as identity_services
from identity.models import Citizen, StaffUser
from mobile_api.clock import SystemClock
from mobile_api.errors import DomainError
from mobile_api.outbox import OutboxMessage
from mobile_api.uow import working
from submissions.certificates import CertificateSigner
from submissions.models import Application, ApplicationEvent, Certificate
from submissions.services import staff
from submissions.services.applications import new_application

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

pytestmark = pytest.mark.postgres
CTX = staff.StaffContext(0.8, CertificateSigner(Ed25519PrivateKey.generate(), "race"))


@pytest.fixture
def world(engine):
    """A committed item, citizen, two clerks, two approvers and one submitted application; removed afterwards."""
    make_session = sessionmaker(bind=engine, expire_on_commit=False)
    clock = SystemClock()
    suffix = uuid.uuid4().hex[:6]
    data = read_sample_data()
    dept_code, item_data = next((d, i) for d, i in data.items if i["code"] == "130300020000")
    created_department = False
    with make_session() as session:
        if session.get(Department, dept_code) is None:
            d = data.departments[dept_code]
            session.add(Department(code=dept_code, number=d["number"], name=d["name"], short_name=d["short_name"]))
            created_department = True
        now = datetime.now(timezone.utc)
        code = f"9{uuid.uuid4().int % 10**11:011d}"
        item = ServiceItem(**dict(item_row_values(item_data, dept_code), code=code, revision=1, status="published",
                                  version=None, created_at=now, updated_at=now, created_by="race",
                                  published_at=now, published_by="race"))
        session.add(item)
        session.flush()
        for values in material_row_values(item_data):
            session.add(Material(item_id=item.id, **values))
        session.commit()
        citizen = identity_services.create_citizen(session, clock)
        people = [identity_services.create_staff(session, clock, f"race{role}{n}{suffix}", "correct horse battery",
                                                 role, "并发测试", dept_code, 1, scrypt_n=2 ** 4)
                  for role in ("clerk", "approver") for n in (1, 2)]
        actor = identity_services.citizen_actor(citizen, "app")
        application = new_application(session, actor, now, session.get(ServiceItem, item.id), {}, [], "window",
                                      None, "race")
        application.status, application.submitted_at = "submitted", now
        session.commit()
        ids = {"item": item.id, "citizen": citizen.id, "staff": [p.id for p in people],
               "application": application.id}
    yield make_session, ids, people
    with make_session() as session:
        session.execute(delete(Certificate).where(Certificate.application_id == ids["application"]))
        session.execute(delete(ApplicationEvent).where(ApplicationEvent.application_id == ids["application"]))
        session.execute(delete(Application).where(Application.id == ids["application"]))
        session.execute(delete(OutboxMessage).where(
            OutboxMessage.topic == "citizen.notify",
            OutboxMessage.payload["data"]["application_id"].as_integer() == ids["application"]))
        session.execute(delete(Material).where(Material.item_id == ids["item"]))
        session.execute(delete(ServiceItem).where(ServiceItem.id == ids["item"]))
        session.execute(delete(StaffUser).where(StaffUser.id.in_(ids["staff"])))
        session.execute(delete(Citizen).where(Citizen.id == ids["citizen"]))
        if created_department:
            session.execute(delete(Department).where(Department.code == dept_code))
        session.commit()


def _race(make_session, attempts):
    """Run each `attempt(session)` in its own thread and connection, all at
    once, each as one unit of work (as a request is): it commits if the
    attempt returns, rolls back if it raises."""
    barrier = threading.Barrier(len(attempts))
    outcomes = []
    lock = threading.Lock()

    def run(attempt):
        with make_session() as session:
            barrier.wait()
            try:
                with working(session, SystemClock(), name="race"):
                    attempt(session)
                result = "ok"
            except DomainError as exc:
                result = (exc.status, exc.code)
            with lock:
                outcomes.append(result)

    threads = [threading.Thread(target=run, args=(a,)) for a in attempts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def _actor(person):
    return identity_services.staff_actor(person, "window")


def test_two_clerks_accept_and_refuse_at_once(world):
    make_session, ids, people = world
    clerk_a, clerk_b = _actor(people[0]), _actor(people[1])
    clock = SystemClock()
    outcomes = _race(make_session, [
        lambda s: staff.accept(s, clerk_a, clock, CTX, ids["application"], "受理"),
        lambda s: staff.refuse(s, clerk_b, clock, CTX, ids["application"], "不予受理"),
    ])
    assert outcomes.count("ok") == 1, outcomes
    loser = next(o for o in outcomes if o != "ok")
    assert loser[0] == 409
    with make_session() as session:
        row = session.get(Application, ids["application"])
        events = session.scalars(select(ApplicationEvent.action)
                                 .where(ApplicationEvent.application_id == ids["application"])).all()
    assert row.status in ("under_review", "refused") and row.row_version == 2
    assert sorted(events) == sorted(["create", "accept" if row.status == "under_review" else "refuse"])


def test_two_approvers_approve_and_deny_at_once(world):
    make_session, ids, people = world
    clock = SystemClock()
    with make_session() as session, working(session, clock):
        staff.accept(session, _actor(people[0]), clock, CTX, ids["application"], None)
    approver_a, approver_b = _actor(people[2]), _actor(people[3])
    outcomes = _race(make_session, [
        lambda s: staff.decide(s, approver_a, clock, CTX, ids["application"], "approve", "同意"),
        lambda s: staff.decide(s, approver_b, clock, CTX, ids["application"], "deny", "不同意"),
    ])
    assert outcomes.count("ok") == 1 and [o for o in outcomes if o != "ok"][0][0] == 409, outcomes
    with make_session() as session:
        row = session.get(Application, ids["application"])
        decisions = session.scalars(select(ApplicationEvent.action).where(
            ApplicationEvent.application_id == ids["application"],
            ApplicationEvent.action.in_(("approve", "deny")))).all()
    assert len(decisions) == 1 and row.decision == ("approved" if decisions[0] == "approve" else "denied")
