"""`flask booking …`: jobs an operator or a scheduler runs."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from mobile_api.uow import unit_of_work

from .policy import policy_from_config
from .services import appointments, holidays

booking_cli = AppGroup("booking", help="预约取号")


@booking_cli.command("mark-no-shows")
def mark_no_shows():
    """Mark appointments whose check-in window has closed as no-shows (run every few minutes)."""
    with unit_of_work(current_app, name="cli:booking mark-no-shows") as work:
        count = appointments.sweep_no_shows(work.session, work.clock, policy_from_config(work.config))
    click.echo(f"no-shows marked: {count}")


holidays_cli = AppGroup("holidays", help="国家法定节假日安排（日历库之后的年份）")
booking_cli.add_command(holidays_cli)


@holidays_cli.command("load")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--source", help="通知文号，如 国办发明电〔2026〕12号（或写在文件的 source: 行）")
def load_holidays(file: Path, source: str | None):
    """Load a year's State Council holiday notice (replaces that year's declared days)."""
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise click.ClickException(f"读不了 {file}：{exc}") from exc
    try:
        notice = holidays.parse_notice(text, source)
    except holidays.NoticeError as exc:
        raise click.ClickException(str(exc)) from exc
    with unit_of_work(current_app, name="cli:booking holidays load") as work:
        summary = holidays.load_notice(work.session, work.actor, work.clock.now(), notice)
    click.echo(f"{summary['year']} ({summary['source']}): {summary['holidays']} holidays, "
               f"{summary['working_days']} make-up working days, "
               f"{summary['appointments_cancelled']} booked appointments on the new holidays cancelled with a notice")


@holidays_cli.command("list")
@click.option("--year", type=int, required=True)
def list_holidays(year: int):
    """Show the declared days of a year."""
    with unit_of_work(current_app, name="cli:booking holidays list") as work:
        rows = holidays.declared_for_year(work.session, year)
        for row in rows:
            click.echo(f"{row.day.isoformat()}  {'working' if row.working else 'holiday'}  {row.name}  ({row.source})")
    if not rows:
        click.echo(f"no notice loaded for {year}")
