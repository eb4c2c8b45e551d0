"""`flask demo …`: development's demo tools (never production's). The
clock is here; packages add their own demos to `demo_cli` (identity's
`flask demo face-check`).

    flask demo clock --at "tomorrow 09:15"      # Asia/Shanghai time
    flask demo clock --at "next-working-day 09:15"
    flask demo clock --at "2026-12-07 14:30"
    flask demo clock                              # show it
    flask demo clock --reset                      # back to the real time

The offset goes to instance/demo-clock.json, which the running processes of
`make run` (web, worker, scheduler) read within a second (DemoClock).
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from config import INSTANCE_DIR

from .clock import LOCAL_TZ
from .workdays import is_working_day

demo_cli = AppGroup("demo", help="开发环境演示工具")


def demo_clock_file() -> Path:
    return INSTANCE_DIR / "demo-clock.json"


def parse_moment(text: str, now_local: datetime) -> datetime:
    """`today|tomorrow|next-working-day|YYYY-MM-DD HH:MM` in local time."""
    parts = text.strip().split()
    if len(parts) != 2:
        raise click.BadParameter('write a day and a time, e.g. "tomorrow 09:15" or "2026-12-07 14:30"')
    day_word, clock_text = parts
    today = now_local.date()
    if day_word == "today":
        day = today
    elif day_word == "tomorrow":
        day = today + timedelta(days=1)
    elif day_word == "next-working-day":
        day = today + timedelta(days=1)
        while not is_working_day(day):
            day += timedelta(days=1)
    else:
        try:
            day = date.fromisoformat(day_word)
        except ValueError:
            raise click.BadParameter(f"unknown day {day_word!r}: today, tomorrow, next-working-day or YYYY-MM-DD")
    try:
        at = time.fromisoformat(clock_text)
    except ValueError:
        raise click.BadParameter(f"unknown time {clock_text!r}: HH:MM")
    return datetime.combine(day, at, LOCAL_TZ)


@demo_cli.command("clock")
@click.option("--at", "moment", default=None, help='如 "tomorrow 09:15"（北京时间）')
@click.option("--reset", is_flag=True, help="回到真实时间")
def clock_command(moment, reset):
    """Show or move the development clock that every `make run` process uses."""
    if current_app.config["APP_CONFIG"].ENV_NAME != "development":
        raise click.ClickException("the demo clock is for development only; nothing was changed")
    path = demo_clock_file()
    if reset:
        path.unlink(missing_ok=True)
        click.echo("demo clock reset: the real time")
        return
    if moment is not None:
        real_now = datetime.now(timezone.utc)
        target = parse_moment(moment, real_now.astimezone(LOCAL_TZ))
        offset = (target - real_now).total_seconds()
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps({"offset_seconds": offset, "set_to": target.isoformat()}))
        temporary.replace(path)  # readers never see half a file
    shown = datetime.now(timezone.utc) + _offset(path)
    click.echo(f"demo clock: {shown.astimezone(LOCAL_TZ):%Y-%m-%d %H:%M:%S} Asia/Shanghai"
               + (" (moved; `flask demo clock --reset` for the real time)" if path.exists() else " (real time)"))


def _offset(path: Path) -> timedelta:
    try:
        return timedelta(seconds=float(json.loads(path.read_text())["offset_seconds"]))
    except (OSError, ValueError, KeyError, TypeError):
        return timedelta(0)
