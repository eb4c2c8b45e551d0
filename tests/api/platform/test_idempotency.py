"""Idempotency-Key: replay, different body, retry while running, expiry."""

import marshmallow as ma
import pytest
from flask import current_app
from flask_smorest import Blueprint
from sqlalchemy import func, select

from identity.auth import current_actor, require_roles
from mobile_api import audit
from mobile_api.audit import AuditEntry
from mobile_api.errors import Conflict
from mobile_api.idempotency import idempotent


class NoteSchema(ma.Schema):
    text = ma.fields.String(required=True)


class NoteOutSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    text = ma.fields.String(required=True)
    nested_status = ma.fields.Integer(allow_none=True)


@pytest.fixture
def notes(app, make):
    """A real write endpoint: each call writes one audit row."""
    blp = Blueprint("test_notes", __name__, url_prefix="/api/v1/_notes")
    state = {"nested": False}

    @blp.route("", methods=["POST"])
    @require_roles("citizen")
    @idempotent
    @blp.arguments(NoteSchema)
    @blp.response(201, NoteOutSchema)
    def create(body):
        """Create a note."""
        if body["text"] == "冲突":
            raise Conflict("与当前状态冲突", code="test_notes.conflict")
        session = current_app.extensions["db"].session
        entry = audit.record(session, current_actor(), "note.create", "note", None, {"text": body["text"]})
        session.commit()
        nested_status = None
        if state["nested"]:
            state["nested"] = False
            # The same request again while this one is still running.
            from flask import request

            nested = current_app.test_client().post("/api/v1/_notes", json=body,
                                                    headers={k: v for k, v in request.headers.items()})
            nested_status = nested.status_code
        return {"id": entry.id, "text": body["text"], "nested_status": nested_status}

    app.extensions["api"].register_blueprint(blp)
    return state


def count_notes(session):
    return session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "note.create"))


def test_same_key_and_body_replays_the_first_answer_without_a_second_write(client, make, notes, session):
    headers = make.headers(make.citizen(), **{"Idempotency-Key": "key-0001-abcdef"})
    first = client.post("/api/v1/_notes", json={"text": "办事"}, headers=headers)
    second = client.post("/api/v1/_notes", json={"text": "办事"}, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json == second.json
    assert second.headers["Idempotent-Replayed"] == "true"
    assert count_notes(session) == 1


def test_same_key_different_body_is_422(client, make, notes, session):
    headers = make.headers(make.citizen(), **{"Idempotency-Key": "key-0002-abcdef"})
    client.post("/api/v1/_notes", json={"text": "一"}, headers=headers)
    response = client.post("/api/v1/_notes", json={"text": "二"}, headers=headers)
    assert response.status_code == 422 and response.json["code"] == "idempotency.key_reused"
    assert count_notes(session) == 1


def test_retry_while_the_first_is_running_is_409(client, make, notes, session):
    notes["nested"] = True
    headers = make.headers(make.citizen(), **{"Idempotency-Key": "key-0003-abcdef"})
    response = client.post("/api/v1/_notes", json={"text": "三"}, headers=headers)
    assert response.status_code == 201
    assert response.json["nested_status"] == 409
    assert count_notes(session) == 1


def test_keys_are_per_principal(client, make, notes, session):
    key = {"Idempotency-Key": "key-0004-abcdef"}
    client.post("/api/v1/_notes", json={"text": "四"}, headers=make.headers(make.citizen(), **key))
    other = client.post("/api/v1/_notes", json={"text": "四"}, headers=make.headers(make.citizen(), **key))
    assert other.status_code == 201 and "Idempotent-Replayed" not in other.headers
    assert count_notes(session) == 2


def test_replay_survives_a_redis_flush(client, make, notes, session, redis_client):
    headers = make.headers(make.citizen(), **{"Idempotency-Key": "key-0005-abcdef"})
    first = client.post("/api/v1/_notes", json={"text": "五"}, headers=headers)
    redis_client.flushdb()
    second = client.post("/api/v1/_notes", json={"text": "五"}, headers=headers)
    assert second.json == first.json and count_notes(session) == 1


def test_expired_record_lets_the_key_be_used_again(client, make, notes, session, clock, app):
    citizen = make.citizen()
    first = client.post("/api/v1/_notes", json={"text": "六"},
                        headers=make.headers(citizen, **{"Idempotency-Key": "key-0006-abcdef"}))
    clock.advance(seconds=app.config["IDEMPOTENCY_TTL_SECONDS"] + 1)
    # A fresh access token for the same citizen: the old one has expired meanwhile.
    second = client.post("/api/v1/_notes", json={"text": "六"},
                         headers=make.headers(citizen, **{"Idempotency-Key": "key-0006-abcdef"}))
    assert first.status_code == second.status_code == 201, second.json
    assert "Idempotent-Replayed" not in second.headers
    assert count_notes(session) == 2


@pytest.mark.parametrize("key", ["short", "x" * 200, "含中文的键abcdefgh"])
def test_malformed_key_is_400(client, make, notes, key):
    headers = make.headers(make.citizen())
    headers["Idempotency-Key"] = key.encode("utf-8").decode("latin-1")
    response = client.post("/api/v1/_notes", json={"text": "x"}, headers=headers)
    assert response.status_code == 400 and response.json["code"] == "idempotency.key_invalid"


def test_the_in_flight_marker_outlives_the_commit_of_the_answer(app, client, make, redis_client):
    """A retry must find either the marker or the stored answer: the marker is
    released only once the unit of work that stores the answer has ended."""
    from mobile_api.uow import current_uow

    blp = Blueprint("test_marker", __name__, url_prefix="/api/v1/_marker")
    seen = {}

    @blp.route("", methods=["POST"])
    @require_roles("citizen")
    @idempotent
    @blp.arguments(NoteSchema)
    @blp.response(201, NoteOutSchema)
    def create(body):
        """Create a note and look at the marker once it is committed."""
        work = current_uow()
        entry = audit.record(work.session, current_actor(), "note.create", "note", None, {"text": body["text"]})
        work.session.flush()
        work.after_commit(lambda: seen.setdefault("at_commit", redis_client.keys("idem:lock:*")))
        return {"id": entry.id, "text": body["text"], "nested_status": None}

    app.extensions["api"].register_blueprint(blp)
    citizen = make.citizen()
    headers = dict(make.headers(citizen), **{"Idempotency-Key": "marker-key-0001"})
    assert client.post("/api/v1/_marker", json={"text": "x"}, headers=headers).status_code == 201
    assert len(seen["at_commit"]) == 1  # still held when the answer's record committed
    assert redis_client.keys("idem:lock:*") == []  # and gone once the request ended


@pytest.mark.parametrize("refused_body", [{"wrong": "field"}, {"text": "冲突"}], ids=["validation-422", "service-409"])
def test_after_a_4xx_the_key_cannot_carry_another_body(client, make, notes, session, refused_body):
    """A refusal is the first answer like any other: replayed for the same
    body, and the key stays bound to that body."""
    headers = make.headers(make.citizen(), **{"Idempotency-Key": "refused-0001"})
    first = client.post("/api/v1/_notes", json=refused_body, headers=headers)
    assert 400 <= first.status_code < 500
    replay = client.post("/api/v1/_notes", json=refused_body, headers=headers)
    assert replay.status_code == first.status_code and replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json["code"] == first.json["code"]
    assert replay.content_type == "application/problem+json"
    reused = client.post("/api/v1/_notes", json={"text": "另一个"}, headers=headers)
    assert reused.status_code == 422 and reused.json["code"] == "idempotency.key_reused"
    assert count_notes(session) == 0


def test_a_401_is_not_recorded_so_the_key_can_be_used_once_logged_in(client, make, notes, session):
    key = {"Idempotency-Key": "before-login-01"}
    assert client.post("/api/v1/_notes", json={"text": "五"}, headers=key).status_code == 401
    done = client.post("/api/v1/_notes", json={"text": "五"}, headers=make.headers(make.citizen(), **key))
    assert done.status_code == 201 and "Idempotent-Replayed" not in done.headers
