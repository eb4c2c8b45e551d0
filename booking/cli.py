"""`flask booking …`: jobs an operator or a scheduler runs."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from mobile_api.uow import unit_of_work

from .policy import policy_from_config
from .services import appointments

booking_cli = AppGroup("booking", help="预约取号")


@booking_cli.command("mark-no-shows")
def mark_no_shows():
    """Mark appointments whose check-in window has closed as no-shows (run every few minutes)."""
    with unit_of_work(current_app, name="cli:booking mark-no-shows") as work:
        count = appointments.sweep_no_shows(work.session, work.clock, policy_from_config(work.config))
    click.echo(f"no-shows marked: {count}")
