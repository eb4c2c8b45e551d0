"""`flask identity-face purge`: delete expired retained frames, old frame
digests and spent challenges (run it from cron or an RQ schedule)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from mobile_api.actor import SYSTEM
from mobile_api.uow import unit_of_work

from .retention import purge

face_cli = AppGroup("identity-face", help="人脸核身数据维护")


@face_cli.command("purge")
def purge_command():
    """Delete retained frames past their time, old digests and old challenges."""
    with unit_of_work(current_app, SYSTEM, name="cli:identity-face purge") as uow:
        counts = purge(uow.session, uow.now(), uow.config["IDENTITY_FACE_DIGEST_RETENTION_DAYS"])
    click.echo(f"purged: {counts}")
