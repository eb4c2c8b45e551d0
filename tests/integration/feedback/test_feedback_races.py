"""Real concurrency on PostgreSQL: two staff replying to one case at once,
and two ratings of one event at once — exactly one wins each time."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import sessionmaker

from feedback.services import handling
from feedback.errors import AlreadyRated, CaseStateConflict
from feedback.models import (FeedbackCase, FeedbackCaseEvent, FeedbackRating, FeedbackRatingInvitation,
                             FeedbackRectification)
from feedback.services.ratings import record_rating
from feedback.rules import Rules
from mobile_api.actor import Actor
from mobile_api.clock import FrozenClock
from mobile_api.hooks import ServedEvent

pytestmark = pytest.mark.postgres

NOW = datetime(2026, 11, 26, 1, 0, tzinfo=timezone.utc)


def _race(n, work):
    barrier = threading.Barrier(n)
    outcomes = []

    def run(i):
        barrier.wait()
        try:
            outcomes.append(work(i))
        except Exception as exc:  # shown in the assertion instead of vanishing with the thread
            outcomes.append(repr(exc))

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def test_two_staff_replying_at_once_one_wins(engine):
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    with factory() as s:
        case = FeedbackCase(citizen_id=None, kind="complaint", category="conduct.attitude", text="race",
                            state="dispatched", department_code="gongan", content_hash="r" * 64,
                            submitted_on=NOW.date(), submitted_at=NOW, reply_due_at=NOW + timedelta(days=5),
                            reopen_count=0, extension_count=0, urge_count=0)
        s.add(case)
        s.commit()
        case_id = case.id
    clock = FrozenClock(NOW)
    try:
        def reply(i):
            actor = Actor(kind="staff", id=100 + i, role="approver", department_code="gongan")
            with factory() as s:
                try:
                    handling.reply(s, actor, clock, case_id, f"答复 {i}")
                    s.commit()  # the services do not commit: the caller's unit of work does
                    return "won"
                except CaseStateConflict:
                    return "lost"

        outcomes = _race(6, reply)
        assert sorted(outcomes) == ["lost"] * 5 + ["won"]
        with factory() as s:
            events = s.scalars(select(FeedbackCaseEvent).where(FeedbackCaseEvent.case_id == case_id)).all()
            assert [e.action for e in events] == ["replied"]
    finally:
        with factory() as s:
            s.execute(delete(FeedbackCaseEvent).where(FeedbackCaseEvent.case_id == case_id))
            s.execute(delete(FeedbackCase).where(FeedbackCase.id == case_id))
            s.commit()


def test_two_ratings_of_one_event_at_once_one_wins(engine):
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    event = ServedEvent(kind="ticket", id=987654, citizen_id=None, finished=True, finished_at=NOW,
                        department_code="gongan", hall_id=1)
    rules = Rules()

    def rate(i):
        with factory() as s:
            try:
                record_rating(s, Actor(kind="kiosk", id=i, role="kiosk", hall_id=1), event, 1, "attitude", None,
                              NOW, rules, rated_by="kiosk")
                s.commit()
                return "won"
            except AlreadyRated:
                s.rollback()
                return "lost"

    try:
        outcomes = _race(6, rate)
        assert sorted(outcomes) == ["lost"] * 5 + ["won"]
        with factory() as s:
            ratings = s.scalars(select(FeedbackRating).where(FeedbackRating.event_id == 987654)).all()
            assert len(ratings) == 1
            assert len(s.scalars(select(FeedbackRectification)
                                 .where(FeedbackRectification.rating_id == ratings[0].id)).all()) == 1
    finally:
        with factory() as s:
            ids = select(FeedbackRating.id).where(FeedbackRating.event_id == 987654)
            s.execute(delete(FeedbackRectification).where(FeedbackRectification.rating_id.in_(ids)))
            s.execute(delete(FeedbackRatingInvitation).where(FeedbackRatingInvitation.event_id == 987654))
            s.execute(delete(FeedbackRating).where(FeedbackRating.event_id == 987654))
            s.commit()


def test_the_same_case_submitted_twice_at_once_links_the_second(engine):
    from identity.models import Citizen

    from feedback.services.cases import submit_case

    factory = sessionmaker(bind=engine, expire_on_commit=False)
    clock = FrozenClock(NOW)
    with factory() as s:
        citizen = Citizen(public_id="race-dup-0000-0000-0000-000000000001", status="active", created_at=NOW)
        s.add(citizen)
        s.commit()
        citizen_id = citizen.id
    actor = Actor(kind="citizen", id=citizen_id, role="citizen", channel="app")

    def submit(_i):
        with factory() as s:
            case = submit_case(s, actor, clock, Rules(), kind="complaint", category="conduct.attitude",
                               text="同时提交的同一件事")
            s.commit()  # the services do not commit: the caller's unit of work does
            return case.state

    try:
        outcomes = _race(4, submit)
        assert sorted(outcomes) == ["merged"] * 3 + ["submitted"]
        with factory() as s:
            cases = s.scalars(select(FeedbackCase).where(FeedbackCase.citizen_id == citizen_id)).all()
            original = next(c for c in cases if c.state == "submitted")
            assert all(c.duplicate_of_id == original.id for c in cases if c.state == "merged")
    finally:
        with factory() as s:
            ids = select(FeedbackCase.id).where(FeedbackCase.citizen_id == citizen_id)
            s.execute(delete(FeedbackCaseEvent).where(FeedbackCaseEvent.case_id.in_(ids)))
            s.execute(delete(FeedbackCase).where(FeedbackCase.citizen_id == citizen_id,
                                                 FeedbackCase.duplicate_of_id.is_not(None)))
            s.execute(delete(FeedbackCase).where(FeedbackCase.citizen_id == citizen_id))
            s.execute(delete(Citizen).where(Citizen.id == citizen_id))
            s.commit()
