"""Optional Guangdong rule: an event not rated in time counts as 基本满意
(FEEDBACK_DEFAULT_RATING_ENABLED, off by default)."""

from __future__ import annotations


import pytest
from sqlalchemy import func, select

from feedback.models import FeedbackRating
from feedback.rules import Rules

from .conftest import act, dispatched_case, sweep


@pytest.fixture
def config_overrides(tmp_path):
    return {"FEEDBACK_STORAGE_DIR": str(tmp_path / "files"), "FEEDBACK_DEFAULT_RATING_ENABLED": True}


def _closed_case(client, people):
    case = dispatched_case(client, people)
    act(client, people, people.gongan, case["id"], "reply", {"text": "答复"})
    client.post(f"/api/v1/cases/{case['id']}/satisfaction", json={"satisfaction": "satisfied"},
                headers=people.h(people.citizen))
    return case


def test_unrated_event_becomes_basically_satisfied_after_the_period(client, people, db, clock, app):
    rules = Rules.from_config(app.config)
    assert rules.default_rating_enabled is True
    unrated = _closed_case(client, people)
    clock.advance(days=6)
    assert sweep(db, clock, rules)["default_ratings"] == 0
    clock.advance(days=1, seconds=1)
    assert sweep(db, clock, rules)["default_ratings"] == 1
    assert sweep(db, clock, rules)["default_ratings"] == 0
    rating = db.scalars(select(FeedbackRating)).one()
    assert (rating.event_kind, rating.event_id, rating.level, rating.rated_by) == ("case", unrated["id"], 3, "system")


def test_a_rated_event_gets_no_default(client, people, db, clock, app):
    case = _closed_case(client, people)
    response = client.post("/api/v1/ratings", json={"event_kind": "case", "event_id": case["id"],
                                                    "level": "very_satisfied"}, headers=people.h(people.citizen))
    assert response.status_code == 201
    clock.advance(days=8)
    assert sweep(db, clock, Rules.from_config(app.config))["default_ratings"] == 0
    assert db.scalar(select(func.count()).select_from(FeedbackRating)) == 1
