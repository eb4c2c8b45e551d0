"""A page of a list costs the same number of SQL statements whatever its
size: what each row shows from another table (a case's photos, a rating's
rectification, a rectification's rating) is loaded for the whole page at
once, not with one query per row."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import event

from feedback.models import FeedbackUpload
from feedback.rules import Rules
from feedback.services.cases import submit_case
from feedback.services.ratings import record_rating
from mobile_api.actor import Actor
from mobile_api.hooks import ServedEvent

API = "/api/v1"


@contextmanager
def counted(engine):
    """Count the statements sent to the database (savepoint bookkeeping aside)."""
    statements: list[str] = []

    def count(_conn, _cursor, statement, _params, _context, _executemany):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _cases(db, clock, citizen, n, start):
    """n cases of the citizen, each with two photos."""
    actor = Actor(kind="citizen", id=citizen.id, role="citizen", channel="app")
    for i in range(start, start + n):
        uploads = [FeedbackUpload(citizen_id=citizen.id, sha256=f"{i:032d}{j:032d}", content_type="image/png",
                                  size=10, created_at=clock.now()) for j in range(2)]
        db.add_all(uploads)
        db.flush()
        submit_case(db, actor, clock, Rules(), kind="complaint", category="conduct.attitude",
                    text=f"第 {i} 件诉求", photo_ids=[u.id for u in uploads])
    db.commit()  # the services do not commit; the test ends their unit of work


def _bad_ratings(db, clock, citizen, n, start):
    """n bad ratings of gongan tickets, each with its rectification."""
    actor = Actor(kind="citizen", id=citizen.id, role="citizen", channel="app")
    for i in range(start, start + n):
        served = ServedEvent(kind="ticket", id=50_000 + i, citizen_id=citizen.id, finished=True,
                             finished_at=clock.now(), department_code="gongan", hall_id=1, window_id=7)
        record_rating(db, actor, served, 2, "slow", None, clock.now(), Rules(), rated_by="citizen")
    db.commit()


def _statements_for(client, engine, path, headers, expect):
    # Once first: a principal's first request may do work of its own (the
    # token deny-list read back from the database), which is not the list's.
    client.get(path, headers=headers)
    with counted(engine) as statements:
        response = client.get(path, headers=headers)
    assert response.status_code == 200, response.json
    assert len(response.json) == expect
    return len(statements)


@pytest.mark.parametrize("path, who", [("/cases", "citizen"), ("/staff/cases", "dispatcher")])
def test_case_lists_do_not_query_per_row(client, people, db, clock, engine, path, who):
    headers = people.h(getattr(people, who))
    _cases(db, clock, people.citizen, 2, 0)
    few = _statements_for(client, engine, f"{API}{path}?page_size=50", headers, 2)
    _cases(db, clock, people.citizen, 10, 2)
    many = _statements_for(client, engine, f"{API}{path}?page_size=50", headers, 12)
    assert many == few, f"{few} statements for 2 cases, {many} for 12"
    listed = client.get(f"{API}{path}?page_size=50", headers=headers).json
    assert all(len(case["photos"]) == 2 for case in listed)  # the photos are really there


@pytest.mark.parametrize("path, who", [("/ratings", "citizen"), ("/staff/ratings", "gongan"),
                                       ("/staff/rectifications", "gongan")])
def test_rating_lists_do_not_query_per_row(client, people, db, clock, engine, path, who):
    headers = people.h(getattr(people, who))
    _bad_ratings(db, clock, people.citizen, 2, 0)
    few = _statements_for(client, engine, f"{API}{path}?page_size=50", headers, 2)
    _bad_ratings(db, clock, people.citizen, 10, 2)
    many = _statements_for(client, engine, f"{API}{path}?page_size=50", headers, 12)
    assert many == few, f"{few} statements for 2 rows, {many} for 12"
    listed = client.get(f"{API}{path}?page_size=50", headers=headers).json
    assert all(row["level"] == "unsatisfied" for row in listed)
