"""`flask feedback sweep`: the periodic job (scheduler or RQ in production)."""

import click
from flask import current_app
from flask.cli import AppGroup

from mobile_api.actor import SYSTEM
from mobile_api.uow import unit_of_work

from .rules import Rules
from .services.sweep import run_sweep

feedback_cli = AppGroup("feedback", help="咨询投诉与好差评")


@feedback_cli.command("sweep")
def sweep():
    """Flag overdue cases and rectifications, urge them, close unanswered replies, default ratings."""
    # One unit of work: the whole sweep commits at the end or not at all; run
    # again, it picks up where it stood (every step is conditional).
    with unit_of_work(current_app, SYSTEM, name="cli:feedback sweep") as uow:
        counts = run_sweep(uow.session, uow.clock, Rules.from_config(uow.config))
    click.echo("feedback sweep: " + ", ".join(f"{name}={count}" for name, count in counts.items()))
