"""Test fixtures shared by every kind of test.

The schema is built once per session by running the Alembic migrations; each
test runs inside a transaction that is rolled back at its end (services'
commits become savepoint releases). Integration tests that need several real
connections use `engine` directly and clean up after themselves.

The suite always runs on a real PostgreSQL and Redis: DATABASE_URL and
REDIS_URL where set (CI points them at the system servers), otherwise the
embedded servers of the wheels (instance/test-postgres, instance/test-redis;
started here and stopped at the end if they were not already running), with
a database of this run's own, dropped at the end. Every test runs; with
FAIL_ON_SKIP=1 (CI) a skip fails the run.
"""

from __future__ import annotations

import os
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker

from config import INSTANCE_DIR, load_config
from mobile_api import create_app, embedded, migrate
from mobile_api.clock import FrozenClock
from mobile_api.db import Database

from tests import factories
from tests.contract import ContractCheckingClient

SHANGHAI = ZoneInfo("Asia/Shanghai")
DEFAULT_NOW = datetime(2026, 11, 26, 9, 0, tzinfo=SHANGHAI)  # a Thursday, a working day


def pytest_configure(config):
    config.addinivalue_line("markers", "postgres: real concurrency on PostgreSQL (several connections)")
    config.addinivalue_line("markers", "real_redis: real Redis behaviour (server stopped, keys expiring)")
    config.addinivalue_line("markers", "slow: takes more than a second")
    if not os.environ.get("DATABASE_URL") or not os.environ.get("REDIS_URL"):
        _start_embedded_servers(config)


def _start_embedded_servers(config) -> None:
    """The wheels' servers for this run; the URLs go into the environment so
    that subprocesses (the stack test, live servers) use them too."""
    database = f"fingertip_test_{os.getpid()}"
    try:
        services = embedded.start(INSTANCE_DIR, need_database=not os.environ.get("DATABASE_URL"),
                                  need_redis=not os.environ.get("REDIS_URL"), database=database, test=True,
                                  register_exit=False)
    except embedded.EmbeddedServerError as exc:
        pytest.exit(str(exc), returncode=4)
    config._embedded_services = services
    if services.database_url:
        os.environ["DATABASE_URL"] = services.database_url
        config._embedded_database = database
    if services.redis_url:
        os.environ["REDIS_URL"] = services.redis_url


def pytest_unconfigure(config):
    services = getattr(config, "_embedded_services", None)
    if services is None:
        return
    database = getattr(config, "_embedded_database", None)
    if database:
        port = int(make_url(services.database_url).port)
        embedded.EmbeddedPostgres(INSTANCE_DIR / "test-postgres").drop_database(port, database)
    services.stop()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("FAIL_ON_SKIP") == "1" and report.skipped:
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, where every test must run: {report.longrepr}"


@pytest.fixture(scope="session")
def database_url():
    url = os.environ["DATABASE_URL"]
    name = make_url(url).database or ""
    if "test" not in name:
        pytest.exit(f"refusing to reset database {name!r}: its name must contain 'test'", returncode=4)
    return url


@pytest.fixture(scope="session")
def database(database_url):
    db = Database(database_url, pool_size=10)
    with db.engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    migrate.upgrade(database_url)
    yield db
    db.engine.dispose()


@pytest.fixture
def scratch_database_url(database_url):
    """An empty database of its own on the suite's server, dropped after the
    test (migration round trips, downgrades)."""
    import uuid

    from sqlalchemy import create_engine

    name = f"scratch_{uuid.uuid4().hex[:12]}_test"
    admin = create_engine(make_url(database_url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(database_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def servers_env(**more) -> dict:
    """The suite's DATABASE_URL and REDIS_URL, for a configuration built by hand."""
    return {"DATABASE_URL": os.environ["DATABASE_URL"], "REDIS_URL": os.environ["REDIS_URL"], **more}


@pytest.fixture(scope="session")
def engine(database):
    return database.engine


@pytest.fixture
def clock():
    return FrozenClock(DEFAULT_NOW)


@pytest.fixture
def redis_client():
    import redis

    client = redis.Redis.from_url(os.environ["REDIS_URL"], decode_responses=True, socket_timeout=2)
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


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
