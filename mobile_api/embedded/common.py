"""What both embedded servers need: a free port, a file lock, waiting."""

from __future__ import annotations

import contextlib
import fcntl
import socket
import time
from pathlib import Path


class EmbeddedServerError(RuntimeError):
    """An embedded server could not be started; the message says why."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def locked(path: Path):
    """Processes that start at once (web, worker, scheduler) start one server."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def wait_until(ready, timeout: float, message: str) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        if time.monotonic() > deadline:
            raise EmbeddedServerError(message)
        time.sleep(0.1)
