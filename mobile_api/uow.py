"""The unit of work: one per request, CLI command or job.

It carries the session, the clock, the acting principal and the app's
settings, and it alone ends the transaction: `complete()` commits once at
the end, `abort()` rolls back on error. Services take the session (or the
unit of work) as before and do not commit; where an early commit is part of
a rule, they name it with `commit_point("why")`, so every commit in the code
base is either here or a named, documented point.

The request's unit of work is opened by the shell around every view
(`mobile_api.transactions`); CLI commands and jobs open their own with
`unit_of_work(app, actor)`.

The hottest write (a booking taking its slot's place) keeps its single round
trip through `finish_with`: the statement that takes the hot row lock is sent
together with COMMIT when the unit of work completes, after everything else
of the request (audit entry, outbox messages, the idempotency record) has
been flushed, so the lock is held for the server's commit only.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable, Iterator

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from .actor import SYSTEM, Actor

log = logging.getLogger("mobile_api.uow")

_INFO_KEY = "unit_of_work"


@dataclass
class _FinalStatements:
    statements: list[tuple[str, dict]]
    errors: dict[str, Callable[[Exception], Exception]]


@dataclass
class UnitOfWork:
    session: Session
    clock: object
    actor: Actor | None = None
    config: dict = field(default_factory=dict)
    name: str = "request"
    # A session handed to a service by a test or a script, with no unit of
    # work around it: named commit points commit at once, the hot path runs
    # its statement at once, after-commit callbacks run at once.
    implicit: bool = False
    _final: _FinalStatements | None = None
    _after_commit: list[Callable[[], None]] = field(default_factory=list)
    _on_end: list[Callable[[], None]] = field(default_factory=list)
    _on_refusal: list[Callable[[Session, object], None]] = field(default_factory=list)
    commit_points: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.session.info[_INFO_KEY] = self

    # --- what services use -------------------------------------------------

    def now(self) -> datetime:
        return self.clock.now()

    def commit_point(self, reason: str) -> None:
        """Commit what is done so far because a rule says it must stand even if
        the rest of the unit of work fails (e.g. a spent face-check attempt)."""
        self.commit_points.append(reason)
        log.debug("commit point", extra={"uow": self.name, "reason": reason})
        self.session.commit()

    def on_end(self, callback: Callable[[], None]) -> None:
        """Run `callback` when the unit of work has ended, committed or not
        (releasing a marker that keeps a retry out until the outcome is stored)."""
        if self.implicit:
            callback()
            return
        self._on_end.append(callback)

    def on_refusal(self, write: Callable[[Session, object], None]) -> None:
        """`write(session, answer)` what must stand although the unit of work
        ends in a refusal (a 4xx answer): its changes are rolled back first,
        then the writes commit alone. The idempotency record of a refusal."""
        self._on_refusal.append(write)

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run `callback` once the unit of work has committed (never after a rollback)."""
        if self.implicit:
            callback()
            return
        self._after_commit.append(callback)

    @property
    def pipelined(self) -> bool:
        """PostgreSQL, with a session that owns its transaction (bound to the
        engine; tests' sessions join an outer transaction through savepoints)."""
        bind = self.session.get_bind()
        return not self.implicit and isinstance(bind, Engine) and bind.dialect.name == "postgresql"

    def commit_with(self, sql: str, params: dict, reason: str):
        """A named commit point whose last statement goes with the COMMIT in
        one round trip (PostgreSQL), for a statement on a hot row whose result
        the answer needs (a ticket's number). Returns the statement's first row."""
        self.commit_points.append(reason)
        self.session.flush()
        if not self.pipelined:
            row = self.session.connection().exec_driver_sql(sql, params).first()
            self.session.commit()
            return row
        from psycopg import ClientCursor

        raw = self.session.connection().connection.driver_connection
        try:
            with ClientCursor(raw) as cursor:
                cursor.execute(sql + "; COMMIT", params)
                row = cursor.fetchone()
        except Exception:
            self.session.rollback()
            raise
        self.session.commit()  # the session's bookkeeping: the server has committed
        return row

    def finish_with(self, statements: list[tuple[str, dict]],
                    errors: dict[str, Callable[[Exception], Exception]] | None = None) -> None:
        """The hot path: `statements` (SQL with %(name)s parameters, see
        `insert_rows`) are this unit of work's last, sent with its COMMIT in one
        round trip at `complete()`. With nothing else written before them,
        they go as one multi-statement query, which PostgreSQL runs as one
        transaction (no BEGIN round trip). A database error whose SQLSTATE is
        in `errors` becomes that domain error (`errors[state](exc)`), and
        nothing commits. Where the pipeline does not apply, they run now."""
        errors = errors or {}
        if not self.pipelined:
            try:
                with self.session.begin_nested():
                    for sql, params in statements:
                        self.session.connection().exec_driver_sql(sql, params)
            except Exception as exc:
                raise _translated(exc, errors) from exc
            return
        if self._final is not None:
            raise RuntimeError("a unit of work has one final batch of statements")
        self._final = _FinalStatements(list(statements), errors)

    def insert_rows(self, table, rows: list[dict], prefix: str) -> tuple[str, dict]:
        """An INSERT of `rows` into `table` as SQL text and parameters for
        `finish_with`, with the columns' types applied (JSON, UTC times) and
        names prefixed so several can share one query. The text is built once
        per shape: compiling a statement per request costs more than its
        round trip."""
        dialect = self.session.get_bind().dialect
        columns = tuple(rows[0])
        key = (table.name, columns, len(rows), prefix, dialect.name)
        shape = _INSERT_SHAPES.get(key)
        if shape is None:
            placeholders = ", ".join(
                "(" + ", ".join(f"%({prefix}{n}_{c})s" for c in columns) + ")" for n in range(len(rows)))
            sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES {placeholders}"
            processors = {c: table.c[c].type._cached_bind_processor(dialect) for c in columns}
            shape = _INSERT_SHAPES[key] = (sql, processors)
        sql, processors = shape
        params = {}
        for n, row in enumerate(rows):
            for column in columns:
                value, process = row[column], processors[column]
                params[f"{prefix}{n}_{column}"] = process(value) if process is not None and value is not None \
                    else value
        return sql, params

    def read_outside_transaction(self, sql: str, params: dict):
        """PostgreSQL only (see `pipelined`): the first row of a read that needs
        no transaction around it, in one round trip. For a read that often
        decides the answer alone (a full slot). Only before anything is written:
        with no transaction open it runs in autocommit (no BEGIN, no ROLLBACK);
        otherwise it goes with the COMMIT that ends the reads so far."""
        from psycopg import ClientCursor, pq

        if self.session.new or self.session.dirty or self.session.deleted:
            raise RuntimeError("read_outside_transaction after a write")
        raw = self.session.connection().connection.driver_connection
        try:
            if raw.pgconn.transaction_status == pq.TransactionStatus.IDLE:
                raw.autocommit = True
                try:
                    return raw.execute(sql, params).fetchone()
                finally:
                    raw.autocommit = False
            with ClientCursor(raw) as cursor:
                cursor.execute(sql + "; COMMIT", params)
                row = cursor.fetchone()
        except Exception:
            self.session.rollback()
            raise
        self.session.commit()  # bookkeeping only: nothing was pending, the server has ended the transaction
        return row

    # --- what the shell uses -----------------------------------------------

    def complete(self) -> None:
        """Commit everything once; then run the after-commit callbacks. If the
        commit fails, everything is rolled back and the caller ends the unit
        of work with `abort()` or `refuse()`."""
        self._complete()
        self._ended()

    def _complete(self) -> None:
        final, self._final = self._final, None
        if final is None:
            if self.session.in_transaction():
                try:
                    self.session.commit()
                except Exception:
                    self.abort()
                    raise
        else:
            self._commit_with(final)
        callbacks, self._after_commit = self._after_commit, []
        for callback in callbacks:
            try:
                callback()
            except Exception:  # the change is committed; a callback is a convenience
                log.warning("after-commit callback failed", exc_info=True)

    def abort(self) -> None:
        self._final = None
        self._after_commit = []
        self._on_refusal = []
        try:
            self.session.rollback()
        finally:
            self._ended()

    def refuse(self, answer) -> None:
        """End with a refusal: roll back, then commit only the `on_refusal` writes."""
        writes, self._on_refusal = self._on_refusal, []
        self._final = None
        self._after_commit = []
        try:
            self.session.rollback()
            if writes:
                for write in writes:
                    write(self.session, answer)
                self.session.commit()
        finally:
            self._ended()

    def _ended(self) -> None:
        callbacks, self._on_end = self._on_end, []
        for callback in callbacks:
            try:
                callback()
            except Exception:  # e.g. Redis gone: the marker expires on its own
                log.warning("end-of-work callback failed", exc_info=True)

    def _commit_with(self, final: _FinalStatements) -> None:
        from psycopg import ClientCursor

        self.session.flush()
        body = "; ".join(sql for sql, _ in final.statements)
        params: dict = {}
        for _, more in final.statements:
            params.update(more)
        raw = self.session.connection().connection.driver_connection
        # ClientCursor binds parameters client-side (escaped literals) so the
        # statements go as one simple query. Inside a transaction the COMMIT
        # goes with them (and is skipped by the server if one fails); with
        # none open, a multi-statement query is itself one transaction.
        alone = not self.session.in_transaction() or self._nothing_written_yet(raw)
        try:
            if alone:
                raw.autocommit = True
                try:
                    with ClientCursor(raw) as cursor:
                        cursor.execute(body, params)
                finally:
                    raw.autocommit = False
            else:
                with ClientCursor(raw) as cursor:
                    cursor.execute(body + "; COMMIT", params)
        except Exception as exc:
            self.session.rollback()
            raise _translated(exc, final.errors) from exc
        self.session.commit()  # the session's bookkeeping: the server has committed

    @staticmethod
    def _nothing_written_yet(raw) -> bool:
        from psycopg import pq

        return raw.pgconn.transaction_status == pq.TransactionStatus.IDLE


# SQL text of the INSERT shapes the hot path uses, by (table, columns, rows, prefix, dialect).
_INSERT_SHAPES: dict[tuple, tuple[str, dict]] = {}


def _translated(exc: Exception, errors: dict[str, Callable[[Exception], Exception]]) -> Exception:
    state = getattr(getattr(exc, "orig", exc), "sqlstate", None)
    factory = errors.get(state) if state else None
    return factory(getattr(exc, "orig", exc)) if factory is not None else exc


def of(session: Session) -> UnitOfWork:
    """The unit of work a session belongs to (services that were given only the session)."""
    uow = session.info.get(_INFO_KEY)
    if uow is None:
        uow = UnitOfWork(session=session, clock=None, name="implicit", implicit=True)
    return uow


def commit_point(session: Session, reason: str) -> None:
    """`of(session).commit_point(reason)`, for services given only the session."""
    of(session).commit_point(reason)


@contextmanager
def working(session: Session, clock, actor: Actor | None = SYSTEM, *, name: str = "job",
            config: dict | None = None) -> Iterator[UnitOfWork]:
    """A unit of work around a session the caller made (benchmarks, tests
    with their own connections): commits at the end of the block, rolls back
    if it raises."""
    uow = UnitOfWork(session=session, clock=clock, actor=actor, config=config or {}, name=name)
    try:
        yield uow
        uow.complete()
    except BaseException:
        uow.abort()
        raise


@contextmanager
def unit_of_work(app, actor: Actor | None = SYSTEM, *, name: str = "job") -> Iterator[UnitOfWork]:
    """A unit of work outside a request (CLI command, job): a new session,
    committed at the end of the block, rolled back if it raises."""
    with app.extensions["db"].new_session() as session:
        with working(session, app.extensions["clock"], actor, name=name, config=app.config) as uow:
            yield uow


# --- the request's unit of work --------------------------------------------

def current_uow() -> UnitOfWork:
    """The unit of work of the current request, opened on first use."""
    from flask import current_app, g

    uow = g.get("_uow")
    if uow is None:
        app = current_app
        uow = UnitOfWork(session=app.extensions["db"].session, clock=app.extensions["clock"],
                         actor=g.get("actor"), config=app.config, name="request")
        g._uow = uow
    return uow


def finish_request(response, error: BaseException | None = None):
    """Called by the shell once the view has answered: commit on success; on
    an error answer roll back and keep only what must stand (`on_refusal`);
    on an exception roll back. Returns the answer to send: a commit refused by
    a rule (a full slot found by the booking's final statement) becomes that
    rule's problem answer here, inside the request."""
    from flask import g

    from .errors import DomainError, handle_domain_error

    if g.get("_uow") is None and g.get("_db_session") is None:
        return response  # the view touched no database
    # A view that took the request's session without asking for the unit of
    # work still gets its commit: both are the same session.
    uow = current_uow()
    if error is not None:
        uow.abort()
        return response
    if response.status_code >= 400:
        uow.refuse(response)
        return response
    try:
        uow.complete()
    except DomainError as refused:
        if refused.status >= 500:
            uow.abort()
            raise
        answer = handle_domain_error(refused)
        uow.refuse(answer)
        return answer
    except BaseException:
        uow.abort()
        raise
    return response


def close_request(_exc=None) -> None:
    """Teardown: the session of each request ends with the request."""
    from flask import current_app, g

    uow = g.pop("_uow", None)
    if uow is not None and uow.session.in_transaction():
        uow.session.rollback()
    current_app.extensions["db"].remove()
