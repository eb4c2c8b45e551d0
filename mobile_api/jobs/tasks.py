"""The functions RQ runs. They live at a stable import path because RQ
stores it in each job; they find the app through the worker's app context
(`flask jobs worker` runs them inside it)."""

from __future__ import annotations

import os
import socket
from datetime import timedelta

from flask import current_app

from .registry import rule_named
from .runs import run_period


class PeriodicRunFailed(RuntimeError):
    """Raised so that RQ files the job in its failed registry as well."""


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def run_periodic(rule_name: str) -> dict:
    """Run `rule_name` for the current period, unless another copy already has."""
    app = current_app._get_current_object()
    lease = timedelta(seconds=app.config["JOBS_RUN_TIMEOUT_SECONDS"])
    outcome = run_period(app, rule_named(app, rule_name), worker_name(), lease)
    if outcome.status == "failed":
        raise PeriodicRunFailed(f"{rule_name} {outcome.period}: {outcome.error}")
    return outcome.as_dict()
