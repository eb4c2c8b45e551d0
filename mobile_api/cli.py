"""Shell CLI: `flask db …`, `flask seed`, `flask outbox work`.

Packages add sample-data loaders with `register_seeder(app, name, fn, order)`;
`flask seed` runs them in order, each only if its data is missing.
"""

from __future__ import annotations

import socket
import time

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from . import migrate, outbox
from .demo import demo_cli
from .uow import unit_of_work

db_cli = AppGroup("db", help="数据库迁移")
outbox_cli = AppGroup("outbox", help="发件箱投递")


def register_seeder(app: Flask, name: str, fn, order: int = 50, sample: bool = False) -> None:
    """`fn(session, clock, app)` loads data if it is missing and returns a short summary. A
    `sample` seeder (the sample city's halls, the demo accounts) runs only with `flask seed --sample`."""
    app.extensions.setdefault("seeders", []).append((order, name, fn))
    if sample:
        app.extensions.setdefault("sample_seeders", set()).add(name)


@db_cli.command("upgrade")
@click.argument("revision", default="heads")
def db_upgrade(revision):
    """Apply migrations (default: every package's head)."""
    migrate.upgrade(current_app.config["DATABASE_URL"], revision)
    click.echo(f"database upgraded to {revision}")


@db_cli.command("downgrade")
@click.argument("revision", required=False)
@click.option("--to", "target", default=None, help="目标版本, 如 booking@-1、identity_0002; base = 删除全部表")
@click.option("--yes", is_flag=True, help="确认降级到 base (删除全部数据)")
def db_downgrade(revision, target, yes):
    """Revert migrations to a named revision; never everything unless asked twice."""
    revision = target or revision
    if not revision:
        # Each package is its own Alembic branch, so "one step back" would
        # have to pick a package: the operator names it.
        raise click.ClickException(
            "name the revision to go back to, e.g. `flask db downgrade booking@-1` or "
            "`flask db downgrade --to identity_0002`; nothing was changed")
    if revision == "base" and not yes:
        raise click.ClickException("`--to base` drops every table and all data; "
                                   "add --yes if that is really meant; nothing was changed")
    migrate.downgrade(current_app.config["DATABASE_URL"], revision)
    click.echo(f"database downgraded to {revision}")


@click.command("seed")
@click.option("--sample", is_flag=True, help="也载入示例城市 (13 个大厅及其窗口、队列; 开发环境的演示账号)")
def seed(sample):
    """Load the catalogue where missing; with --sample also the sample city (halls, demo accounts)."""
    samples = current_app.extensions.get("sample_seeders", set())
    for _, name, fn in sorted(current_app.extensions.get("seeders", []), key=lambda item: item[0]):
        if name in samples and not sample:
            click.echo(f"seed {name}: skipped (sample data: flask seed --sample)")
            continue
        # One unit of work per seeder: a later seeder builds on what the earlier ones committed.
        with unit_of_work(current_app, name=f"seed:{name}") as work:
            summary = fn(work.session, work.clock, current_app)
        click.echo(f"seed {name}: {summary}")


@outbox_cli.command("work")
@click.option("--once", is_flag=True, help="投递一轮后退出")
@click.option("--interval", default=2.0, show_default=True, help="空闲时轮询间隔（秒）")
def outbox_work(once, interval):
    """Deliver outbox messages until stopped."""
    db = current_app.extensions["db"]
    clock = current_app.extensions["clock"]
    worker_id = f"{socket.gethostname()}:{id(db)}"
    while True:
        with db.new_session() as session:
            counts = outbox.work_once(session, worker_id, clock.now())
        if counts:
            click.echo(f"outbox: {counts}")
        if once:
            return
        if not counts:
            time.sleep(interval)


@click.command("settings")
@click.option("--check", is_flag=True, help="检查当前环境的全部设置并列出所有问题, 不启动服务")
def settings_table(check):
    """Print every package setting with its default, as the README's table."""
    from config import PROJECT_ROOT

    from .settings import documented_settings

    if check:
        from .settings_check import EXIT_BAD_SETTINGS, check_environment, format_report

        config, problems = check_environment()
        if problems:
            click.echo(format_report(config.ENV_NAME if config else "?", problems), err=True)
            raise SystemExit(EXIT_BAD_SETTINGS)
        click.echo(f"settings check passed for APP_ENV={config.ENV_NAME}")
        return

    click.echo("| setting | default | production | meaning |")
    click.echo("|---|---|---|---|")
    for setting in documented_settings():
        default = setting.default
        if isinstance(default, str) and default.startswith(str(PROJECT_ROOT)):
            default = default[len(str(PROJECT_ROOT)) + 1:]
        shown = "(empty)" if default in (None, "") else f"`{default}`"
        doc = (setting.doc or "").replace("|", "\\|").replace("\n", " ")
        click.echo(f"| `{setting.name}` | {shown} | {'required' if setting.production_required else ''} | {doc} |")


def register_cli(app: Flask) -> None:
    from identity.demo import seed_demo_accounts

    register_seeder(app, "demo-accounts", seed_demo_accounts, order=90, sample=True)
    app.cli.add_command(db_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(outbox_cli)
    app.cli.add_command(seed)
    app.cli.add_command(settings_table)
