"""The API contract the client teams generate their clients from.

`complete_spec` finishes the OpenAPI document after every blueprint is
registered (operationIds, every status with its error codes, headers);
`init_app` keeps the answers true to it (Retry-After only where documented).
"""

from __future__ import annotations

from flask import Flask

from .declare import raises
from .generic import RETRY_AFTER_STATUSES
from .operations import complete_spec

__all__ = ["complete_spec", "init_app", "raises"]


def init_app(app: Flask) -> None:
    """Call before the rate limiter is set up: after-request hooks run in
    reverse order, so this one sees the limiter's headers and trims them."""

    from .cli import contract_cli

    app.cli.add_command(contract_cli)

    @app.after_request
    def _retry_after_only_when_retrying(response):
        # flask-limiter stamps Retry-After (its window reset) on every answer;
        # a client would read it on a 200 as "come back later".
        if response.status_code not in RETRY_AFTER_STATUSES:
            response.headers.pop("Retry-After", None)
        return response
