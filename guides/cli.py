"""`flask guides check` and `flask guides load`."""

import click
from flask import current_app
from flask.cli import AppGroup

from mobile_api.actor import SYSTEM
from mobile_api.uow import unit_of_work

from .errors import CatalogueDataError
from .services.loading import load_sample_catalogue, read_sample_data

guides_cli = AppGroup("guides", help="办事指南目录")


@guides_cli.command("check")
def check():
    """Validate the sample data files without loading them."""
    try:
        data = read_sample_data()
    except CatalogueDataError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"ok: {len(data.items)} items, {len(data.departments)} departments, "
               f"{len(data.themes)} themes, {len(data.life_events)} life events")


@guides_cli.command("load")
def load():
    """Load the sample catalogue into an empty catalogue."""
    try:
        with unit_of_work(current_app, SYSTEM, name="cli:guides load") as uow:
            summary = load_sample_catalogue(uow.session, uow.clock)
    except CatalogueDataError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"guides: {summary}")
