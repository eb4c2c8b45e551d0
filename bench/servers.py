"""The servers a benchmark runs on: the same engines as production.

`bench_services()` yields (database_url, redis_url): a fresh database named
`<name>_bench_<pid>` on DATABASE_URL's server, or on the embedded test
PostgreSQL (mobile_api/embedded) when none is set, dropped at the end; and
REDIS_URL, or the embedded Redis. Servers started here stop at the end.
"""

from __future__ import annotations

import contextlib
import os

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from config import INSTANCE_DIR
from mobile_api import embedded

BENCH_REDIS_DB = 4  # the suite flushes db 0 of the embedded test Redis


@contextlib.contextmanager
def bench_services(label: str = "bench"):
    url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    services = None
    if not url or not redis_url:
        services = embedded.start(INSTANCE_DIR, need_database=not url, need_redis=not redis_url,
                                  database="postgres", test=True, register_exit=False)
        url = url or services.database_url
        redis_url = redis_url or services.redis_url.rsplit("/", 1)[0] + f"/{BENCH_REDIS_DB}"
    parsed = make_url(url)
    name = f"{parsed.database if parsed.database != 'postgres' else 'fingertip'}_{label}_{os.getpid()}"
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield parsed.set(database=name).render_as_string(hide_password=False), redis_url
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()
        if services is not None:
            services.stop()
