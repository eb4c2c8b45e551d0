"""`flask jobs …` and `flask outbox retry`: run, watch and retry the periodic rules.

Production runs `flask jobs scheduler` (RQ's cron scheduler) and one or more
`flask jobs worker`; a single development process runs `flask jobs run-due`.
"""

from __future__ import annotations

from datetime import timedelta

import click
import redis
from flask import current_app
from flask.cli import AppGroup

from mobile_api.actor import SYSTEM
from mobile_api.clock import LOCAL_TZ
from mobile_api.uow import unit_of_work

from ..cli import outbox_cli
from . import dead_letters, rq_runtime
from .registry import periodic_rules, rule_named
from .clock_health import rule_clocks
from .supervise import Outage, supervise
from .runs import execute, reclaim_failed, run_period
from .models import JobRun
from .tasks import worker_name

jobs_cli = AppGroup("jobs", help="周期任务 (RQ 工作进程与调度器)")


def _lease():
    return timedelta(seconds=current_app.config["JOBS_RUN_TIMEOUT_SECONDS"])


@jobs_cli.command("worker")
@click.option("--burst", is_flag=True, help="队列取空后退出")
@click.option("--name", default=None, help="工作进程名 (默认 主机:进程号)")
def worker(burst, name):
    """Run RQ jobs (the periodic rules) until stopped; rides out Redis outages."""
    app = current_app._get_current_object()
    if burst:
        rq_runtime.build_worker(app, name=name).work(burst=True, with_scheduler=False)
        return
    _supervise(app, "rq worker", lambda: rq_runtime.build_worker(app, name=name))


@jobs_cli.command("scheduler")
@click.option("--name", default="", help="调度器名 (默认 主机:进程号:随机)")
def scheduler(name):
    """Enqueue every periodic rule at its cadence (RQ's cron scheduler); rides out Redis outages."""
    app = current_app._get_current_object()
    for rule in periodic_rules(app).values():
        click.echo(f"scheduling {rule.name} every {int(rule.every.total_seconds())}s")
    _supervise(app, "rq scheduler", lambda: rq_runtime.build_scheduler(app, name=name))


def _supervise(app, what, start):
    outage = Outage(what)
    supervise(start, rq_runtime.rq_connection(app), outage,
              max_delay=float(app.config["JOBS_REDIS_RETRY_MAX_SECONDS"]))


@jobs_cli.command("run-due")
@click.option("--rule", "rule_names", multiple=True, help="只运行这些规则 (可重复)")
def run_due(rule_names):
    """Run every rule whose current period has not run yet, once, in this process."""
    rules = [rule_named(current_app, name) for name in rule_names] or list(periodic_rules(current_app).values())
    failed = 0
    for rule in rules:
        outcome = run_period(current_app, rule, worker_name(), _lease())
        failed += outcome.status == "failed"
        click.echo(f"{rule.name} {outcome.period}: {outcome.status} {outcome.error or outcome.result or ''}".rstrip())
    if failed:
        raise click.exceptions.Exit(1)


@jobs_cli.command("status")
def status():
    """Rules and their last runs, failed periods, dead outbox messages, RQ queue and failed jobs."""
    db = current_app.extensions["db"]
    with db.new_session() as session:
        click.echo(f"rules (STALLED: no run for {current_app.config['JOBS_STALLED_AFTER_PERIODS']} periods):")
        for clock in rule_clocks(current_app, session, current_app.extensions["clock"].now()):
            run = clock.last
            seen = (f"{run.period_key} {run.status} (attempts {run.attempts}, started "
                    f"{run.started_at.astimezone(LOCAL_TZ):%Y-%m-%d %H:%M:%S})" if run else "never run")
            click.echo(f"  {clock.rule:<28} every {int(clock.every.total_seconds()):>5}s  last: {seen}"
                       + ("  STALLED" if clock.stalled else ""))
        failed = dead_letters.failed_runs(session)
        click.echo(f"failed periods: {len(failed)}" + (" (retry: flask jobs retry RUN_ID | --all)" if failed else ""))
        for run in failed:
            click.echo(f"  run {run.id} {run.rule} {run.period_key}: {run.error}")
        click.echo("outbox: " + ", ".join(f"{k}={v}" for k, v in sorted(dead_letters.outbox_counts(session).items())))
        dead = dead_letters.dead_messages(session)
        click.echo(f"dead outbox messages: {len(dead)}" + (" (retry: flask outbox retry ID | --all)" if dead else ""))
        for message in dead:
            click.echo(f"  message {message.id} {message.topic} attempts {message.attempts}: {message.last_error}")
        for lines in current_app.extensions.get("jobs_status_sources", []):
            for line in lines(session):
                click.echo(line)
    try:
        _rq_status()
    except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as exc:
        click.echo(f"rq: Redis unreachable ({exc}); workers and schedulers wait for it and resume")


def _rq_status():
    from rq import Worker
    from rq.cron import CronScheduler

    queue = rq_runtime.queue(current_app)
    connection = rq_runtime.rq_connection(current_app)
    click.echo(f"rq queue {queue.name}: {queue.count} waiting; "
               f"workers: {len(Worker.all(queue=queue))}; schedulers: {len(CronScheduler.all(connection))}")
    registry = rq_runtime.failed_registry(current_app)
    job_ids = registry.get_job_ids()
    click.echo(f"rq failed jobs: {len(job_ids)}" + (" (requeue: flask jobs requeue JOB_ID | --all)" if job_ids else ""))
    for job in queue.job_class.fetch_many(job_ids, connection=connection):
        if job is not None:
            result = job.latest_result()
            last_line = ((result.exc_string if result else "") or "").strip().splitlines()[-1:] or [""]
            click.echo(f"  job {job.id} {job.func_name}{tuple(job.args)}: {last_line[0]}")


@jobs_cli.command("retry")
@click.argument("run_id", type=int, required=False)
@click.option("--all", "retry_all", is_flag=True, help="重试所有失败的周期")
def retry(run_id, retry_all):
    """Run a failed period again, now, in this process."""
    if (run_id is None) == (not retry_all):
        raise click.UsageError("give a RUN_ID or --all")
    db, clock = current_app.extensions["db"], current_app.extensions["clock"]
    with db.new_session() as session:
        runs = dead_letters.failed_runs(session, limit=1000) if retry_all else [session.get(JobRun, run_id)]
        targets = [(run.id, run.rule, run.period_key) for run in runs if run is not None]
    if not retry_all and not targets:
        raise click.UsageError(f"no run {run_id}")
    failed = 0
    for target_id, rule_name, period in targets:
        with unit_of_work(current_app, SYSTEM, name="cli:jobs retry") as work:
            reclaimed = reclaim_failed(work.session, target_id, clock.now(), worker_name(), _lease())
        if not reclaimed:
            click.echo(f"run {target_id} {rule_name} {period}: not failed, left alone")
            continue
        outcome = execute(current_app, rule_named(current_app, rule_name), target_id, period)
        failed += outcome.status == "failed"
        click.echo(f"run {target_id} {rule_name} {period}: {outcome.status} {outcome.error or ''}".rstrip())
    if failed:
        raise click.exceptions.Exit(1)


@jobs_cli.command("requeue")
@click.argument("job_id", required=False)
@click.option("--all", "requeue_all", is_flag=True, help="重新排队所有失败的 RQ 任务")
def requeue(job_id, requeue_all):
    """Put failed RQ jobs back on their queue."""
    if (job_id is None) == (not requeue_all):
        raise click.UsageError("give a JOB_ID or --all")
    registry = rq_runtime.failed_registry(current_app)
    job_ids = registry.get_job_ids() if requeue_all else [job_id]
    for one in job_ids:
        try:
            registry.requeue(one)
        except Exception as exc:  # rq raises InvalidJobOperation / NoSuchJobError
            raise click.UsageError(f"job {one}: {exc}") from exc
        click.echo(f"requeued {one}")


@outbox_cli.command("retry")
@click.argument("message_id", type=int, required=False)
@click.option("--all", "retry_all", is_flag=True, help="重试所有投递失败的消息")
def outbox_retry(message_id, retry_all):
    """Send dead-lettered (failed) outbox messages again, each as a new message due now."""
    if (message_id is None) == (not retry_all):
        raise click.UsageError("give a MESSAGE_ID or --all")
    with unit_of_work(current_app, SYSTEM, name="cli:outbox retry") as work:
        if retry_all:
            retried = dead_letters.retry_all_messages(work.session, work.clock.now())
        else:
            new_id = dead_letters.retry_message(work.session, message_id, work.clock.now())
            if new_id is None:
                raise click.UsageError(f"outbox message {message_id} is not a failed message")
            retried = [(message_id, new_id)]
    for old_id, new_id in retried:
        click.echo(f"outbox message {old_id}: sent again as message {new_id}")
    click.echo(f"outbox messages retried: {len(retried)}")
