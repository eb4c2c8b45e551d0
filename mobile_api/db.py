"""The database: declarative base, engine and a session per application context.

The engine is built by `create_app`, never at import time. Views take
`db.session`; services receive it as an argument and own commit/rollback.
"""

from __future__ import annotations

from datetime import datetime, timezone

from flask import g
from sqlalchemy import DateTime, MetaData, create_engine
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

# Ids are INTEGER columns: anything larger names nothing (and overflows drivers).
MAX_INTEGER_ID = 2**31 - 1

# Stable constraint names: Alembic can drop and alter them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator):
    """Timestamps are stored in UTC (timestamptz) and always come back
    timezone-aware; a naive datetime is a bug and is refused."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def build_engine(url: str, pool_size: int = 5) -> Engine:
    if not url.startswith("postgresql"):
        raise ValueError("DATABASE_URL must be a PostgreSQL URL (postgresql+psycopg://…)")
    return create_engine(url, pool_size=pool_size, max_overflow=pool_size * 2, pool_pre_ping=True)


class Database:
    """Holds the engine and hands out one session per application context."""

    def __init__(self, url: str, pool_size: int = 5):
        self.url = url
        self.engine = build_engine(url, pool_size)
        self.session_factory = sessionmaker(bind=self.engine, expire_on_commit=False)

    @property
    def session(self) -> Session:
        session = g.get("_db_session")
        if session is None:
            session = self.session_factory()
            g._db_session = session
        return session

    def new_session(self) -> Session:
        """A session outside any request (CLI, jobs, benchmarks)."""
        return self.session_factory()

    def remove(self, _exc=None) -> None:
        session = g.pop("_db_session", None)
        if session is not None:
            session.close()

    def init_app(self, app) -> None:
        app.extensions["db"] = self
        app.teardown_appcontext(self.remove)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)
