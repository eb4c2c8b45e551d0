"""Test fixtures shared by every kind of test.

The schema is built once per session by running the Alembic migrations; each
test runs inside a transaction that is rolled back at its end (services'
commits become savepoint releases). Integration tests that need several real
connections use `engine` directly and clean up after themselves.

On the embedded default (no DATABASE_URL / REDIS_URL) tests marked
`postgres` or `real_redis` are skipped with a visible reason; with
FAIL_ON_SKIP=1 (CI) any skip fails the run.
"""

from __future__ import annotations

import os
import tempfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker

from config import load_config
from mobile_api import create_app, migrate
from mobile_api.clock import FrozenClock
from mobile_api.db import Database

from tests import factories
from tests.contract import ContractCheckingClient

SHANGHAI = ZoneInfo("Asia/Shanghai")
DEFAULT_NOW = datetime(2026, 11, 26, 9, 0, tzinfo=SHANGHAI)  # a Thursday, a working day


def pytest_configure(config):
    config.addinivalue_line("markers", "postgres: needs a real PostgreSQL (DATABASE_URL)")
    config.addinivalue_line("markers", "real_redis: needs a real Redis server (REDIS_URL)")
    config.addinivalue_line("markers", "slow: takes more than a second")


def _is_postgres(url: str) -> bool:
    return url.startswith("postgresql")


def pytest_collection_modifyitems(config, items):
    url = os.environ.get("DATABASE_URL", "")
    for item in items:
        if "postgres" in item.keywords and not _is_postgres(url):
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL (always runs in CI)"))
        if "real_redis" in item.keywords and not os.environ.get("REDIS_URL"):
            item.add_marker(pytest.mark.skip(reason="needs a real Redis: set REDIS_URL (always runs in CI)"))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("FAIL_ON_SKIP") == "1" and report.skipped:
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, where every test must run: {report.longrepr}"


@pytest.fixture(scope="session")
def database_url():
    url = os.environ.get("DATABASE_URL")
    if url:
        if _is_postgres(url):
            name = make_url(url).database or ""
            if "test" not in name:
                pytest.exit(f"refusing to reset database {name!r}: its name must contain 'test'", returncode=4)
        yield url
        return
    directory = tempfile.mkdtemp(prefix="fingertip-test-")
    yield f"sqlite:///{Path(directory) / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def database(database_url):
    db = Database(database_url, pool_size=10)
    if db.dialect == "postgresql":
        with db.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    migrate.upgrade(database_url)
    yield db
    db.engine.dispose()


@pytest.fixture(scope="session")
def engine(database):
    return database.engine


@pytest.fixture
def clock():
    return FrozenClock(DEFAULT_NOW)


@pytest.fixture
def redis_client():
    url = os.environ.get("REDIS_URL")
    if url:
        import redis

        client = redis.Redis.from_url(url, decode_responses=True, socket_timeout=2)
        client.flushdb()
        yield client
        client.flushdb()
        client.close()
    else:
        import fakeredis

        yield fakeredis.FakeRedis(decode_responses=True)


@pytest.fixture
def db_connection(database):
    connection = database.engine.connect()
    transaction = connection.begin()
    original = database.session_factory
    database.session_factory = sessionmaker(bind=connection, join_transaction_mode="create_savepoint",
                                            expire_on_commit=False)
    yield connection
    database.session_factory = original
    transaction.rollback()
    connection.close()


@pytest.fixture
def config_overrides():
    """Tests override settings by updating this dict before `app` is built."""
    return {}


@pytest.fixture
def app_config(database_url, config_overrides):
    env = dict(os.environ)
    env["DATABASE_URL"] = database_url
    env.setdefault("LOG_LEVEL", "WARNING")
    config = load_config("testing", env)
    for name, value in config_overrides.items():
        setattr(config, name, value)
    return config


@pytest.fixture
def app(app_config, database, db_connection, clock, redis_client):
    application = create_app(app_config, clock=clock, redis_client=redis_client, database=database)
    application.config["ACCESS_LOG"] = False
    # Every answer the tests receive is checked against the OpenAPI document.
    application.test_client_class = ContractCheckingClient
    yield application


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def session(app, db_connection):
    with app.app_context():
        s = app.extensions["db"].new_session()
        yield s
        s.close()


@pytest.fixture
def make(app, session, clock):
    """Factories for principals and their tokens: `make.citizen()`, `make.staff(...)`."""
    return factories.Factory(app, session, clock)
