"""`flask contract write`: regenerate the committed OpenAPI snapshot and the
error-code page after a deliberate change of the API."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from .catalog import ERRORS_DOC_PATH, SNAPSHOT_PATH, write_files

contract_cli = AppGroup("contract", help="The API contract: OpenAPI snapshot and error codes.")


@contract_cli.command("write")
def write():
    """Write docs/openapi.snapshot.json and docs/errors.md from the running code."""
    write_files(current_app.extensions["api"].spec.to_dict())
    click.echo(f"wrote {SNAPSHOT_PATH.name} and {ERRORS_DOC_PATH.name}; review the diff and commit it")
