"""`flask booking …`: jobs an operator or a scheduler runs."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from .policy import policy_from_config
from .services import appointments

booking_cli = AppGroup("booking", help="预约取号")


@booking_cli.command("mark-no-shows")
def mark_no_shows():
    """Mark appointments whose check-in window has closed as no-shows (run every few minutes)."""
    db = current_app.extensions["db"]
    with db.new_session() as session:
        count = appointments.sweep_no_shows(session, current_app.extensions["clock"],
                                            policy_from_config(current_app.config), commit=True)
    click.echo(f"no-shows marked: {count}")
