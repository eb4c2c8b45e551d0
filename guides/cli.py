"""`flask guides check`, `flask guides load` and `flask guides unmet`."""

from datetime import timedelta

import click
from flask import current_app
from flask.cli import AppGroup

from mobile_api.actor import SYSTEM
from mobile_api.uow import unit_of_work

from .errors import CatalogueDataError
from .services import unmet
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


@guides_cli.command("unmet")
@click.option("--since", "period", default="7d", show_default=True, help="how far back: 24h, 7d, 2w")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 1000))
@click.option("--purge", is_flag=True, help="also delete rows older than GUIDES_UNMET_RETENTION_DAYS")
def unmet_queries(period: str, limit: int, purge: bool):
    """Searches that found nothing (digits and other personal data removed), most asked first."""
    try:
        delta = unmet.parse_period(period)
    except ValueError:
        raise click.BadParameter("应为 24h、7d、2w 这样的时长", param_hint="--since") from None
    with unit_of_work(current_app, SYSTEM, name="cli:guides unmet") as uow:
        now = uow.clock.now().astimezone(unmet.CITY_TZ)
        if purge:
            days = current_app.config["GUIDES_UNMET_RETENTION_DAYS"]
            removed = unmet.purge(uow.session, now.date() - timedelta(days=days))
            click.echo(f"purged {removed} rows older than {days} days")
        rows = unmet.summarise(uow.session, (now - delta).date(), limit)
    if not rows:
        click.echo(f"no unmet queries since {period}")
        return
    click.echo(f"{'count':>6} {'days':>4}  {'last seen (Asia/Shanghai)':<19}  lang  query")
    for row in rows:
        seen = row.last_seen_at.astimezone(unmet.CITY_TZ).strftime("%Y-%m-%d %H:%M")
        click.echo(f"{row.count:>6} {row.days:>4}  {seen:<19}  {row.language:<4}  {row.query}")
