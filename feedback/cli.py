"""`flask feedback sweep`: the periodic job (scheduler or RQ in production)."""

import click
from flask import current_app
from flask.cli import AppGroup

from .rules import Rules
from .sweep import run_sweep

feedback_cli = AppGroup("feedback", help="咨询投诉与好差评")


@feedback_cli.command("sweep")
def sweep():
    """Flag overdue cases and rectifications, urge them, close unanswered replies, default ratings."""
    db = current_app.extensions["db"]
    with db.new_session() as session:
        counts = run_sweep(session, current_app.extensions["clock"], Rules.from_config(current_app.config))
    click.echo("feedback sweep: " + ", ".join(f"{name}={count}" for name, count in counts.items()))
