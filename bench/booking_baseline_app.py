"""Baseline for bench.booking_load: the whole application (same auth, same
middleware, same gunicorn settings) plus one endpoint that inserts one row in
one transaction on the same database. Benchmark-only: never imported by the
production code."""

from flask import current_app, jsonify
from sqlalchemy import text

from identity.auth import current_actor
from mobile_api import create_app

app = create_app()


@app.post("/bench/baseline-insert")
def baseline_insert():
    actor = current_actor()
    session = current_app.extensions["db"].session
    row_id = session.execute(text("INSERT INTO bench_baseline_rows (principal, created_at) "
                                  "VALUES (:p, now()) RETURNING id"), {"p": actor.subject}).scalar_one()
    session.commit()
    return jsonify(id=row_id), 201
