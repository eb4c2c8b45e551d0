"""How the hot paths reach PostgreSQL in one round trip (the unit of work's
named fast paths: `finish_with`, `commit_with`, `read_outside_transaction`).

psycopg's ClientCursor binds parameters client-side (escaped literals), so
statements and the COMMIT after them go to the server as one simple query;
if a statement fails, the server skips the rest. With no transaction open on
the server, the statements go alone in autocommit: a multi-statement simple
query is itself one transaction, so there is no BEGIN round trip either.
"""

from __future__ import annotations

from typing import Callable

from sqlalchemy import Engine
from sqlalchemy.orm import Session

Errors = dict[str, Callable[[Exception], Exception]]

# SQL text of the INSERT shapes the hot paths use, by (table, columns, rows, prefix).
_INSERT_SHAPES: dict[tuple, tuple[str, dict]] = {}


def owns_transaction(session: Session) -> bool:
    """A session bound to the engine (tests' sessions join an outer
    transaction through savepoints and must not commit it)."""
    return isinstance(session.get_bind(), Engine)


def run_and_commit(session: Session, sql: str, params: dict, *, fetch: bool = True):
    """Run `sql` (one or more statements) and end the transaction in the same
    round trip; the first row of the first statement when `fetch`. On failure
    the session is rolled back and the driver's error raised."""
    from psycopg import ClientCursor, pq

    raw = session.connection().connection.driver_connection
    row = None
    try:
        if raw.pgconn.transaction_status == pq.TransactionStatus.IDLE:
            raw.autocommit = True
            try:
                with ClientCursor(raw) as cursor:
                    cursor.execute(sql, params)
                    row = cursor.fetchone() if fetch else None
            finally:
                raw.autocommit = False
        else:
            with ClientCursor(raw) as cursor:
                cursor.execute(sql + "; COMMIT", params)
                row = cursor.fetchone() if fetch else None
    except Exception:
        session.rollback()
        raise
    session.commit()  # the session's bookkeeping: the server has ended the transaction
    return row


def run_batch_and_commit(session: Session, statements: list[tuple[str, dict]], errors: Errors) -> None:
    """`statements` as one query with the commit; a failure whose SQLSTATE is
    in `errors` becomes that domain error."""
    params: dict = {}
    for _, more in statements:
        params.update(more)
    try:
        run_and_commit(session, "; ".join(sql for sql, _ in statements), params, fetch=False)
    except Exception as exc:
        raise translated(exc, errors) from exc


def insert_rows(session: Session, table, rows: list[dict], prefix: str) -> tuple[str, dict]:
    """An INSERT of `rows` into `table` as SQL text and parameters, with the
    columns' types applied (JSON, UTC times) and names prefixed so several can
    share one query. The text is built once per shape: compiling a statement
    per request costs more than its round trip."""
    dialect = session.get_bind().dialect
    columns = tuple(rows[0])
    key = (table.name, columns, len(rows), prefix)
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
            params[f"{prefix}{n}_{column}"] = process(value) if process is not None and value is not None else value
    return sql, params


def translated(exc: Exception, errors: Errors) -> Exception:
    state = getattr(getattr(exc, "orig", exc), "sqlstate", None)
    factory = errors.get(state) if state else None
    return factory(getattr(exc, "orig", exc)) if factory is not None else exc
