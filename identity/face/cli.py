"""`flask identity-face purge`: delete expired retained frames, old frame
digests and spent challenges (run it from cron or an RQ schedule)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from .retention import purge

face_cli = AppGroup("identity-face", help="人脸核身数据维护")


@face_cli.command("purge")
def purge_command():
    """Delete retained frames past their time, old digests and old challenges."""
    db = current_app.extensions["db"]
    with db.new_session() as session:
        counts = purge(session, current_app.extensions["clock"].now(),
                       current_app.config["IDENTITY_FACE_DIGEST_RETENTION_DAYS"])
    click.echo(f"purged: {counts}")
