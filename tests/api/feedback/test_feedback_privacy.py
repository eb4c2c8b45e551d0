"""Reports hide the reporter from the department; citizen merge and erasure
keep cases and ratings but drop the link to the person."""

from __future__ import annotations

import io
from pathlib import Path

from sqlalchemy import select

from feedback.models import FeedbackCase, FeedbackRating, FeedbackUpload
from feedback.services.privacy import ERASED_TEXT
from mobile_api import hooks
from mobile_api.uow import UnitOfWork

from .conftest import act, dispatched_case, image_bytes, submit


def test_report_hides_the_reporter_from_the_department(client, people):
    report = dispatched_case(client, people, kind="report", category="conduct.fees", text="某窗口违规收费")
    seen_by_department = client.get(f"/api/v1/staff/cases/{report['id']}", headers=people.h(people.gongan)).json
    assert seen_by_department["citizen_id"] is None and seen_by_department["reporter_hidden"] is True
    submitted = seen_by_department["timeline"][0]
    assert submitted["actor_kind"] == "citizen" and submitted["actor_id"] is None
    queue = client.get("/api/v1/staff/cases", headers=people.h(people.gongan)).json
    assert queue[0]["citizen_id"] is None and queue[0]["reporter_hidden"] is True
    seen_by_dispatcher = client.get(f"/api/v1/staff/cases/{report['id']}", headers=people.h(people.dispatcher)).json
    assert seen_by_dispatcher["citizen_id"] == people.citizen.id and seen_by_dispatcher["reporter_hidden"] is False


def test_complaint_shows_the_citizen_to_the_department(client, people):
    complaint = dispatched_case(client, people)
    seen = client.get(f"/api/v1/staff/cases/{complaint['id']}", headers=people.h(people.gongan)).json
    assert seen["citizen_id"] == people.citizen.id and seen["reporter_hidden"] is False


def test_erasure_keeps_cases_and_ratings_without_the_person(client, people, served, db, clock, app):
    upload = client.post("/api/v1/feedback/uploads", data={"file": (io.BytesIO(image_bytes()), "p.png")},
                         content_type="multipart/form-data", headers=people.h(people.citizen)).json
    open_case = dispatched_case(client, people, text="含有个人信息的诉求", photos=[upload["id"]])
    closed = dispatched_case(client, people, text="另一件")
    act(client, people, people.gongan, closed["id"], "reply", {"text": "部门的答复"})
    client.post(f"/api/v1/cases/{closed['id']}/satisfaction", json={"satisfaction": "satisfied"},
                headers=people.h(people.citizen))
    ticket = served.add("ticket", citizen_id=people.citizen.id)
    rating = client.post("/api/v1/ratings", json={"event_kind": "ticket", "event_id": ticket.id,
                                                  "level": "unsatisfied", "reason": "slow", "comment": "我叫张三"},
                         headers=people.h(people.citizen)).json

    # as the account closure runs it: inside a unit of work, which deletes the
    # photo files once it has committed
    work = UnitOfWork(session=db, clock=clock, config=app.config, name="test:erasure")
    hooks.erase_citizen(db, people.citizen.id, clock.now())
    digest = upload["sha256"]
    assert (Path(app.config["FEEDBACK_STORAGE_DIR"]) / digest[:2] / digest[2:4] / digest).exists()
    work.complete()
    db.expire_all()
    kept_open = db.get(FeedbackCase, open_case["id"])
    assert kept_open.citizen_id is None and kept_open.text == ERASED_TEXT and kept_open.state == "withdrawn"
    kept_closed = db.get(FeedbackCase, closed["id"])
    assert kept_closed.state == "closed" and kept_closed.reply_text == "部门的答复" and kept_closed.citizen_id is None
    kept_rating = db.get(FeedbackRating, rating["id"])
    assert (kept_rating.citizen_id, kept_rating.comment, kept_rating.level, kept_rating.reason_code) == (
        None, None, 2, "slow")
    assert db.scalars(select(FeedbackUpload)).all() == []
    assert not (Path(app.config["FEEDBACK_STORAGE_DIR"]) / digest[:2] / digest[2:4] / digest).exists()
    stats = client.get("/api/v1/ratings/stats?period=month&year=2026&month=11").json
    assert stats["overall"]["bad_count"] == 1
    assert client.get("/api/v1/cases", headers=people.h(people.citizen)).json == []


def test_merge_moves_cases_and_ratings_and_links_same_day_duplicates(client, people, served, db):
    survivor, merged = people.citizen, people.other_citizen
    kept = submit(client, people, text="同一件事", who=survivor)
    duplicate = submit(client, people, text="同一件事", who=merged)
    other = submit(client, people, text="不同的事", who=merged)
    ticket = served.add("ticket", citizen_id=merged.id)
    client.post("/api/v1/ratings", json={"event_kind": "ticket", "event_id": ticket.id, "level": "satisfied"},
                headers=people.h(merged))

    hooks.merge_citizens(db, merged.id, survivor.id)
    db.commit()
    db.expire_all()
    mine = {c["id"]: c for c in client.get("/api/v1/cases", headers=people.h(survivor)).json}
    assert set(mine) == {kept["id"], duplicate["id"], other["id"]}
    assert mine[duplicate["id"]]["duplicate_of_id"] == kept["id"]
    assert len(client.get("/api/v1/ratings", headers=people.h(survivor)).json) == 1
