"""The unit of work: one per request, CLI command or job.

It carries the session, the clock, the acting principal and the app's
settings, and it alone ends the transaction: `complete()` commits once at
the end, `abort()` rolls back on error. Services take the session (or the
unit of work) as before and do not commit; where an early commit is part of
a rule, they name it with `commit_point("why")`, so every commit in the code
base is either here or a named, documented point.

The request's unit of work is opened by the shell around every view
(`current_uow`, `finish_request`, called by `mobile_api.create_app`'s app
class); CLI commands and jobs open their own with `unit_of_work(app, actor)`.

The hottest write (a booking taking its slot's place) keeps its single round
trip through `finish_with`: the statements that take the hot row lock are sent
together with COMMIT when the unit of work completes, after everything else
of the request (the idempotency record) has been flushed, so the lock is
held for the server's commit only (`mobile_api.pipeline`).
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable, Iterator

from sqlalchemy.orm import Session

from . import pipeline
from .actor import SYSTEM, Actor

log = logging.getLogger("mobile_api.uow")

_INFO_KEY = "unit_of_work"


@dataclass
class _FinalStatements:
    statements: list[tuple[str, dict]]
    errors: pipeline.Errors


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
        """The one-round-trip paths apply: a session that owns its
        transaction, inside a real unit of work."""
        return not self.implicit and pipeline.owns_transaction(self.session)

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
        return pipeline.run_and_commit(self.session, sql, params)

    def finish_with(self, statements: list[tuple[str, dict]], errors: pipeline.Errors | None = None) -> None:
        """The hot path: `statements` (SQL with %(name)s parameters, see
        `insert_rows`) are this unit of work's last, sent with its COMMIT in one
        round trip at `complete()` (mobile_api.pipeline). A database error
        whose SQLSTATE is in `errors` becomes that domain error
        (`errors[state](exc)`), and nothing commits. Where the pipeline does
        not apply, they run now."""
        errors = errors or {}
        if not self.pipelined:
            try:
                with self.session.begin_nested():
                    for sql, params in statements:
                        self.session.connection().exec_driver_sql(sql, params)
            except Exception as exc:
                raise pipeline.translated(exc, errors) from exc
            return
        if self._final is not None:
            raise RuntimeError("a unit of work has one final batch of statements")
        self._final = _FinalStatements(list(statements), errors)

    def insert_rows(self, table, rows: list[dict], prefix: str) -> tuple[str, dict]:
        """An INSERT for `finish_with` (see `pipeline.insert_rows`)."""
        return pipeline.insert_rows(self.session, table, rows, prefix)

    def read_outside_transaction(self, sql: str, params: dict):
        """PostgreSQL only (see `pipelined`): the first row of a read that needs
        no transaction around it, in one round trip. For a read that often
        decides the answer alone (a full slot). Only before anything is written:
        with no transaction open it runs in autocommit (no BEGIN, no ROLLBACK);
        otherwise it goes with the COMMIT that ends the reads so far."""
        if self.session.new or self.session.dirty or self.session.deleted:
            raise RuntimeError("read_outside_transaction after a write")
        return pipeline.run_and_commit(self.session, sql, params)

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
        self.session.flush()
        pipeline.run_batch_and_commit(self.session, final.statements, final.errors)


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


# SQLSTATEs after which PostgreSQL has rolled the transaction back and the
# same work may simply run again: serialization_failure, deadlock_detected.
CONCURRENCY_STATES = frozenset({"40001", "40P01"})
CONCURRENCY_RETRIES = 1


def is_concurrency_failure(exc: BaseException) -> bool:
    """A deadlock or serialization failure, wrapped by SQLAlchemy or not."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if getattr(exc, "sqlstate", None) in CONCURRENCY_STATES:
            return True
        if getattr(getattr(exc, "orig", None), "sqlstate", None) in CONCURRENCY_STATES:
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def retry_after_concurrency_failure(exc: BaseException) -> bool:
    """Whether the request's view may run again after `exc`: a concurrency
    failure, in a unit of work that committed nothing on the way (no named
    commit point). If so, the spent unit of work is dropped (already rolled
    back by `finish_request`) so that the next attempt opens a fresh one."""
    from flask import g

    if not is_concurrency_failure(exc):
        return False
    spent = g.get("_uow")
    if spent is not None and spent.commit_points:
        return False
    if spent is not None and spent.session.in_transaction():
        spent.session.rollback()
    g.pop("_uow", None)
    log.info("concurrency failure, running the request once more", extra={"sqlstate": _sqlstate(exc)})
    return True


def _sqlstate(exc: BaseException) -> str | None:
    return getattr(getattr(exc, "orig", exc), "sqlstate", None)


def close_request(_exc=None) -> None:
    """Teardown: the session of each request ends with the request."""
    from flask import current_app, g

    uow = g.pop("_uow", None)
    if uow is not None and uow.session.in_transaction():
        uow.session.rollback()
    current_app.extensions["db"].remove()
