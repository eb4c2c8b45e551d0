"""Fixtures for feedback's API tests: small served-event sources for tickets
and applications (so these tests do not depend on booking or submissions),
a temporary photo store, and helpers to drive a case through its workflow."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from PIL import Image

from mobile_api import hooks
from mobile_api.hooks import ServedEvent


@pytest.fixture
def config_overrides(tmp_path):
    return {"FEEDBACK_STORAGE_DIR": str(tmp_path / "feedback-files")}


class ServedEvents:
    """A dict-backed stand-in for booking's tickets and submissions' applications."""

    def __init__(self, clock):
        self.clock = clock
        self.events: dict[tuple[str, int], ServedEvent] = {}
        self._next = 1000

    def add(self, kind="ticket", citizen_id=None, finished=True, finished_ago=timedelta(minutes=2),
            department_code="gongan", hall_id=1, window_id=7, item_code="GA-001", staff_id=None) -> ServedEvent:
        self._next += 1
        event = ServedEvent(kind=kind, id=self._next, citizen_id=citizen_id, finished=finished,
                            finished_at=self.clock.now() - finished_ago if finished else None,
                            department_code=department_code, hall_id=hall_id, window_id=window_id,
                            item_code=item_code, staff_id=staff_id)
        self.events[(kind, event.id)] = event
        return event

    def source(self, kind):
        return lambda _session, event_id: self.events.get((kind, event_id))


@pytest.fixture
def served(monkeypatch, clock, app):
    events = ServedEvents(clock)
    # monkeypatch restores whatever booking/submissions registered, or removes ours.
    monkeypatch.setitem(hooks._served_sources, "ticket", events.source("ticket"))
    monkeypatch.setitem(hooks._served_sources, "application", events.source("application"))
    return events


def image_bytes(fmt="PNG", size=(8, 8), color=(200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format=fmt)
    return buffer.getvalue()


class People:
    def __init__(self, make):
        self.make = make
        self.citizen = make.citizen("张三")
        self.other_citizen = make.citizen("李四")
        self.dispatcher = make.staff("admin", None, None)
        # The departments' own staff (approvers, back office): a clerk at a
        # department's window is not its handler (issue 16, defect 5).
        self.gongan = make.staff("approver", "gongan", None)
        self.gongan2 = make.staff("approver", "gongan", 1)
        self.renshe = make.staff("approver", "renshe", None)

    def h(self, principal, **extra):
        return self.make.headers(principal, **extra)


@pytest.fixture
def people(make):
    return People(make)


def submit(client, people, kind="complaint", category="conduct.attitude", text="窗口工作人员态度恶劣", who=None,
           **extra):
    body = {"kind": kind, "category": category, "text": text, **extra}
    response = client.post("/api/v1/cases", json=body, headers=people.h(who or people.citizen))
    assert response.status_code == 201, response.json
    return response.json


def act(client, people, who, case_id, action, body, expect=200):
    response = client.post(f"/api/v1/staff/cases/{case_id}/{action}", json=body, headers=people.h(who))
    assert response.status_code == expect, response.json
    return response.json


def dispatched_case(client, people, department="gongan", **kwargs):
    case = submit(client, people, **kwargs)
    return act(client, people, people.dispatcher, case["id"], "dispatch", {"department_code": department})


@pytest.fixture
def db(app, session):
    """The session the requests use. In tests every request shares the app
    context that the `session` fixture pushed, and so one SQLAlchemy session;
    reading through that same session keeps the savepoints properly nested.
    Expired first so that reads see what the requests wrote."""
    shared = app.extensions["db"].session
    shared.expire_all()
    return shared


def sweep(db, clock, rules):
    """The sweep as `flask feedback sweep` runs it: the service does the work,
    its unit of work commits (here: the test's savepoint is released, so the
    requests that follow see it)."""
    from feedback.services.sweep import run_sweep

    counts = run_sweep(db, clock, rules)
    db.commit()
    return counts
