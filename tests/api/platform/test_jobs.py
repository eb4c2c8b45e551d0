"""The job engine through the real app: rules registered by their packages,
RQ's cron scheduler and worker (on a real Redis), one run per
period however many schedulers enqueue it, failures visible and retried."""

from __future__ import annotations

from datetime import timedelta

import pytest
from rq.cron import get_cron_job_ids
from rq.job import Job
from sqlalchemy import func, select

from mobile_api.jobs import rq_runtime
from mobile_api.jobs.models import JobRun
from mobile_api.jobs.registry import periodic_rules, register_periodic
from mobile_api.jobs.schedule import CADENCES
from mobile_api.jobs.tasks import run_periodic

ALL_RULES = {"platform.outbox_delivery", "booking.mark_no_shows", "booking.waiting_warnings",
             "booking.close_forgotten_sessions", "submissions.supervision", "feedback.sweep", "identity.face_purge"}


def _runs(session, rule=None):
    stmt = select(JobRun).order_by(JobRun.id)
    if rule:
        stmt = stmt.where(JobRun.rule == rule)
    return list(session.scalars(stmt.execution_options(populate_existing=True)))


def test_every_package_registers_its_rule_with_the_cadence_of_the_schedule(app):
    rules = periodic_rules(app)
    assert set(rules) == ALL_RULES
    assert all(rule.every == CADENCES[name] for name, rule in rules.items())


def test_a_rule_name_is_registered_once_and_needs_a_cadence(app):
    with pytest.raises(ValueError, match="twice"):
        register_periodic(app, "feedback.sweep", lambda *a: None)
    with pytest.raises(ValueError, match="schedule.py"):
        register_periodic(app, "feedback.unplanned", lambda *a: None)


def test_two_schedulers_enqueue_every_rule_but_each_period_runs_once(app, session, clock):
    connection = rq_runtime.rq_connection(app)
    for round_number in (1, 2):
        schedulers = [rq_runtime.build_scheduler(app, name=f"s{index}-{round_number}") for index in (1, 2)]
        for scheduler in schedulers:
            assert {job.name for job in scheduler.enqueue_jobs()} == ALL_RULES
        assert rq_runtime.queue(app).count == 2 * len(ALL_RULES)
        for worker_name in ("w1", "w2"):
            rq_runtime.build_worker(app, name=f"{worker_name}-{round_number}").work(burst=True)

        for rule in ALL_RULES:
            runs = _runs(session, rule)
            assert len(runs) == round_number and {run.status for run in runs} == {"done"}
            job_ids = get_cron_job_ids(rule, connection)
            assert len(job_ids) == 2 * round_number
            outcomes = [Job.fetch(job_id, connection=connection).return_value()["status"]
                        for job_id in job_ids[:2]]  # this round's copies
            assert sorted(outcomes) == ["done", "skipped"]
        # the longest cadence is an hour: every rule is in a new period now
        clock.advance(hours=1)


def test_run_due_runs_each_rule_once_per_period_in_process(app, session, clock):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["jobs", "run-due"])
    assert first.exit_code == 0, first.output
    assert first.output.count(": done") == len(ALL_RULES)
    again = runner.invoke(args=["jobs", "run-due"])
    assert again.output.count(": skipped") == len(ALL_RULES)
    clock.advance(seconds=15)
    later = runner.invoke(args=["jobs", "run-due", "--rule", "platform.outbox_delivery",
                                "--rule", "booking.mark_no_shows"])
    assert "platform.outbox_delivery 2026-11-26T09:00:15+08:00: done" in later.output
    assert "booking.mark_no_shows 2026-11-26T09:00:00+08:00: skipped" in later.output
    assert session.scalar(select(func.count()).select_from(JobRun)) == len(ALL_RULES) + 1


def test_a_failing_period_is_recorded_listed_and_retried(app, session, clock, monkeypatch):
    monkeypatch.setitem(CADENCES, "test.flaky", timedelta(minutes=5))
    calls = []

    def flaky(session, clock, app):
        calls.append(clock.now())
        if len(calls) == 1:
            raise RuntimeError("数据库暂时不可用")
        return {"fixed": 1}

    register_periodic(app, "test.flaky", flaky)
    rq_runtime.queue(app).enqueue(run_periodic, "test.flaky")
    rq_runtime.build_worker(app, name="w-flaky").work(burst=True)

    [run] = _runs(session, "test.flaky")
    assert run.status == "failed" and "数据库暂时不可用" in run.error
    assert len(rq_runtime.failed_registry(app)) == 1
    runner = app.test_cli_runner()
    status = runner.invoke(args=["jobs", "status"])
    assert f"run {run.id} test.flaky 2026-11-26T09:00:00+08:00: RuntimeError: 数据库暂时不可用" in status.output
    assert "rq failed jobs: 1" in status.output and "run_periodic('test.flaky',)" in status.output

    # a failed period is not run again by the next copy of the same period...
    rq_runtime.queue(app).enqueue(run_periodic, "test.flaky")
    rq_runtime.build_worker(app, name="w-flaky-2").work(burst=True)
    assert len(calls) == 1
    # ...but on request
    retried = runner.invoke(args=["jobs", "retry", str(run.id)])
    assert retried.exit_code == 0, retried.output
    [run] = _runs(session, "test.flaky")
    assert run.status == "done" and run.attempts == 2 and run.result == {"fixed": 1} and len(calls) == 2
    assert "not failed" in runner.invoke(args=["jobs", "retry", str(run.id)]).output  # done stays done

    requeued = runner.invoke(args=["jobs", "requeue", "--all"])
    assert requeued.exit_code == 0 and "requeued" in requeued.output
    rq_runtime.build_worker(app, name="w-flaky-3").work(burst=True)
    assert len(rq_runtime.failed_registry(app)) == 0 and len(calls) == 2  # the period is done


def test_retry_commands_refuse_what_they_cannot_retry(app, session):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["jobs", "retry"]).exit_code == 2
    assert "no run 999" in runner.invoke(args=["jobs", "retry", "999"]).output
    assert runner.invoke(args=["outbox", "retry"]).exit_code == 2
    refused = runner.invoke(args=["outbox", "retry", "999"])
    assert refused.exit_code == 2 and "not a failed message" in refused.output


def test_a_crashed_run_is_taken_over_after_its_lease(app, session, clock):
    from mobile_api.jobs.runs import claim

    lease = timedelta(minutes=10)
    first = claim(session, "booking.mark_no_shows", "p1", clock.now(), "w1", lease)
    assert first is not None
    assert claim(session, "booking.mark_no_shows", "p1", clock.now() + timedelta(minutes=9), "w2", lease) is None
    assert claim(session, "booking.mark_no_shows", "p1", clock.now() + timedelta(minutes=11), "w2", lease) == first
    [run] = _runs(session, "booking.mark_no_shows")
    assert run.attempts == 2 and run.worker == "w2"


def test_the_clock_offset_moves_the_process_clock_and_is_refused_in_production():
    from datetime import datetime, timezone
    from types import SimpleNamespace

    from flask import Flask

    from mobile_api.jobs import process_clock

    def app_for(env_name, offset):
        flask_app = Flask("offset")
        flask_app.config["APP_CONFIG"] = SimpleNamespace(ENV_NAME=env_name,
                                                         env={"TEST_CLOCK_OFFSET_SECONDS": offset})
        return flask_app

    moved = process_clock(app_for("testing", "172800")).now() - datetime.now(timezone.utc)
    assert timedelta(days=2) - timedelta(seconds=5) < moved <= timedelta(days=2)
    with pytest.raises(RuntimeError, match="TEST_CLOCK_OFFSET_SECONDS"):
        process_clock(app_for("production", "60"))
    assert type(process_clock(app_for("production", "0"))).__name__ == "SystemClock"
