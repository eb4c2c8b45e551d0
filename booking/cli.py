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


def _one_line(fn):
    """Refusals as one line (`Error: …`, exit status 1), never a traceback."""
    import functools

    from mobile_api.errors import DomainError

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except DomainError as exc:
            raise click.ClickException(f"{exc.detail} ({exc.code})") from None
    return wrapper


@booking_cli.command("import-halls")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@_one_line
def import_halls(path):
    """Create or update halls (with queues, windows, items) from a JSON or CSV file; all or nothing."""
    from .hall_import import import_halls as run_import, read_file

    with open(path, encoding="utf-8") as handle:
        halls = read_file(path, handle.read())
    with unit_of_work(current_app, name="cli:booking import-halls") as work:
        results = run_import(work.session, work.clock, halls)
    for result in results:
        click.echo(f"{result['code']}: {'created' if result['created'] else 'updated'}, {result['queues']} queues, "
                   f"{result['windows']} windows, {result['items_linked']} items linked")
    click.echo(f"{len(results)} halls imported")


@booking_cli.command("export-halls")
def export_halls():
    """Print every hall (queues, windows, items) as JSON in the import-halls format."""
    import json

    from .hall_import import export_halls as run_export

    with unit_of_work(current_app, name="cli:booking export-halls") as work:
        click.echo(json.dumps(run_export(work.session), ensure_ascii=False, indent=2))


@booking_cli.command("close-hall")
@click.argument("hall_id", type=int)
@click.argument("day", type=click.DateTime(formats=["%Y-%m-%d"]))
@click.option("--reason", required=True, help="闭厅原因（告知已预约的市民）")
@click.option("--open", "is_open", is_flag=True, help="反之：在这一天加开")
@_one_line
def close_hall(hall_id, day, reason, is_open):
    """Close a hall on a day (or open it on an extra day) through the calendar-override service."""
    from mobile_api.actor import SYSTEM

    from .services import setup

    with unit_of_work(current_app, name="cli:booking close-hall") as work:
        setup.close_hall(work.session, work.clock, SYSTEM, hall_id, day.date(), reason, is_open)
    click.echo(f"hall {hall_id} {'opened' if is_open else 'closed'} on {day.date().isoformat()}: {reason}")


def _queue_by_prefix(session, hall_id: int, prefix: str):
    from sqlalchemy import select

    from .errors import QueueNotFound
    from .models import HallQueue

    queue = session.scalar(select(HallQueue).where(HallQueue.hall_id == hall_id, HallQueue.prefix == prefix))
    if queue is None:
        raise QueueNotFound(f"大厅 {hall_id} 没有前缀为 {prefix} 的队列")
    return queue


@booking_cli.command("add-queue")
@click.argument("hall_id", type=int)
@click.argument("prefix")
@click.argument("name")
@click.option("--general", is_flag=True, help="综合窗口的队列")
@click.option("--places", "places_per_window", type=int, default=None, help="每窗口每时段可预约数（默认取设置）")
@_one_line
def add_queue(hall_id, prefix, name, general, places_per_window):
    """Add a queue (ticket prefix) to a hall."""
    from mobile_api.actor import SYSTEM

    from .services import setup

    with unit_of_work(current_app, name="cli:booking add-queue") as work:
        queue = setup.add_queue(work.session, work.clock, SYSTEM, hall_id, prefix=prefix, name=name, general=general,
                                places_per_window=places_per_window)
    click.echo(f"queue {queue.prefix} (id {queue.id}) added to hall {hall_id}")


@booking_cli.command("add-window")
@click.argument("hall_id", type=int)
@click.argument("number")
@click.argument("name")
@click.option("--queue", "prefixes", multiple=True, required=True, help="服务的队列前缀（可多次给出）")
@click.option("--special", is_flag=True, help="专窗（默认综合窗口）")
@_one_line
def add_window(hall_id, number, name, prefixes, special):
    """Add a window serving the given queues."""
    from mobile_api.actor import SYSTEM

    from .services import setup

    with unit_of_work(current_app, name="cli:booking add-window") as work:
        ids = [_queue_by_prefix(work.session, hall_id, p).id for p in prefixes]
        window = setup.add_window(work.session, work.clock, SYSTEM, hall_id, number=number, name=name,
                                  kind="special" if special else "general", queue_ids=ids)
    click.echo(f"window {window.number} (id {window.id}) added to hall {hall_id}, serving {', '.join(prefixes)}")


@booking_cli.command("set-item")
@click.argument("hall_id", type=int)
@click.argument("item_code")
@click.argument("prefix")
@_one_line
def set_item(hall_id, item_code, prefix):
    """The hall handles a catalogue item in the queue with this prefix."""
    from mobile_api.actor import SYSTEM

    from .services import setup

    with unit_of_work(current_app, name="cli:booking set-item") as work:
        queue = _queue_by_prefix(work.session, hall_id, prefix)
        setup.set_hall_item(work.session, work.clock, SYSTEM, hall_id, item_code, queue.id)
    click.echo(f"hall {hall_id} handles {item_code} in queue {prefix}")


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
