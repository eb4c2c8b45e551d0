"""Claiming a period on PostgreSQL with many connections at once: exactly
one claimant per (rule, period), whoever enqueued or picked it up."""

import threading
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import sessionmaker

from mobile_api.jobs.models import JobRun
from mobile_api.jobs.runs import claim
from mobile_api.uow import working

pytestmark = pytest.mark.postgres


def test_eight_workers_claiming_one_period_at_once_admit_exactly_one(engine):
    make_session = sessionmaker(bind=engine, expire_on_commit=False)
    rule = f"race.{uuid.uuid4().hex[:8]}"
    now = datetime(2026, 11, 26, 1, 0, tzinfo=timezone.utc)
    barrier = threading.Barrier(8)
    winners, errors = [], []

    def contender(index):
        try:
            with make_session() as session:
                barrier.wait()
                with working(session, None, name="job claim"):  # the claim commits at the end
                    run_id = claim(session, rule, "2026-11-26T09:00:00+08:00", now, f"w{index}",
                                   timedelta(minutes=10))
                if run_id is not None:
                    winners.append((index, run_id))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=contender, args=(index,)) for index in range(8)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert errors == []
        assert len(winners) == 1
        with make_session() as session:
            [run] = session.scalars(select(JobRun).where(JobRun.rule == rule)).all()
            assert run.id == winners[0][1] and run.worker == f"w{winners[0][0]}" and run.status == "running"
    finally:
        with make_session() as session:
            session.execute(delete(JobRun).where(JobRun.rule == rule))
            session.commit()
