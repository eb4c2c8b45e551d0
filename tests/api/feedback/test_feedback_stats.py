"""Statistics matching hand-computed numbers across a month boundary (in
Shanghai time: 00:30 on 1 December is still 30 November in UTC)."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.conftest import SHANGHAI


def _rate(client, people, served, department, window, level, reason=None):
    ticket = served.add("ticket", citizen_id=people.citizen.id, department_code=department, window_id=window,
                        item_code=f"{department}-item")
    body = {"event_kind": "ticket", "event_id": ticket.id, "level": level}
    if reason:
        body["reason"] = reason
    response = client.post("/api/v1/ratings", json=body, headers=people.h(people.citizen))
    assert response.status_code == 201, response.json
    return response.json


def _staff(client, people, who, rect_id, action, body):
    response = client.post(f"/api/v1/staff/rectifications/{rect_id}/{action}", json=body, headers=people.h(who))
    assert response.status_code == 200, response.json


@pytest.fixture
def month_boundary(client, people, served, clock):
    clock.set(datetime(2026, 11, 30, 23, 30, tzinfo=SHANGHAI))  # November, local and UTC
    _rate(client, people, served, "gongan", 7, "very_satisfied")
    r2 = _rate(client, people, served, "gongan", 7, "unsatisfied", "slow")
    _rate(client, people, served, "renshe", 9, "satisfied")
    clock.set(datetime(2026, 12, 1, 0, 30, tzinfo=SHANGHAI))  # December locally, 30 Nov 16:30 UTC
    r4 = _rate(client, people, served, "gongan", 7, "very_unsatisfied", "attitude")
    _rate(client, people, served, "gongan", 8, "basically_satisfied")
    r6 = _rate(client, people, served, "gongan", 8, "unsatisfied", "attitude")
    _rate(client, people, served, "renshe", 9, "unsatisfied", "not_solved")
    # r2 rectified on time; r4 appealed and upheld (out of the statistics); r6 explained late.
    clock.set(datetime(2026, 12, 1, 10, 0, tzinfo=SHANGHAI))
    _staff(client, people, people.gongan, r2["rectification_id"], "callback", {"note": "已回访"})
    _staff(client, people, people.gongan, r2["rectification_id"], "resolve", {"outcome": "rectified", "note": "改"})
    _staff(client, people, people.gongan, r4["rectification_id"], "appeal", {"reason": "恶意"})
    _staff(client, people, people.dispatcher, r4["rectification_id"], "appeal/decision", {"upheld": True})
    clock.set(datetime(2026, 12, 9, 10, 0, tzinfo=SHANGHAI))  # due was the end of Tue 8 Dec
    _staff(client, people, people.gongan, r6["rectification_id"], "callback", {"note": "已回访"})
    _staff(client, people, people.gongan, r6["rectification_id"], "resolve", {"outcome": "explained", "note": "说明"})


def _rows(stats):
    return {row["key"]: row for row in stats["rows"]}


def test_public_monthly_statistics_by_department(client, month_boundary):
    november = client.get("/api/v1/ratings/stats?period=month&year=2026&month=11").json
    assert november["label"] == "2026-11" and november["start"] == "2026-10-31T16:00:00+00:00"
    rows = _rows(november)
    assert rows["gongan"]["total"] == 2
    assert rows["gongan"]["levels"] == {"very_satisfied": 1, "satisfied": 0, "basically_satisfied": 0,
                                        "unsatisfied": 1, "very_unsatisfied": 0}
    assert rows["gongan"]["satisfaction_rate"] == 0.5
    assert (rows["gongan"]["bad_count"], rows["gongan"]["rectified_count"]) == (1, 1)
    assert (rows["gongan"]["rectification_rate"], rows["gongan"]["on_time_rate"]) == (1.0, 1.0)
    assert rows["renshe"]["total"] == 1 and rows["renshe"]["satisfaction_rate"] == 1.0
    assert rows["renshe"]["rectification_rate"] is None

    december = client.get("/api/v1/ratings/stats?period=month&year=2026&month=12").json
    rows = _rows(december)
    assert rows["gongan"]["total"] == 2  # r4 left out by the upheld appeal
    assert rows["gongan"]["satisfaction_rate"] == 0.5
    assert (rows["gongan"]["rectification_rate"], rows["gongan"]["on_time_rate"]) == (1.0, 0.0)
    assert rows["renshe"]["satisfaction_rate"] == 0.0 and rows["renshe"]["rectification_rate"] == 0.0
    assert rows["renshe"]["on_time_rate"] is None
    overall = december["overall"]
    assert (overall["total"], overall["bad_count"], overall["rectified_count"]) == (3, 2, 1)
    assert (overall["satisfaction_rate"], overall["rectification_rate"], overall["on_time_rate"]) == (0.3333, 0.5,
                                                                                                    0.0)


def test_quarter_year_and_other_groupings(client, month_boundary):
    quarter = _rows(client.get("/api/v1/ratings/stats?period=quarter&year=2026&quarter=4").json)
    assert quarter["gongan"]["total"] == 4 and quarter["gongan"]["satisfaction_rate"] == 0.5
    assert (quarter["gongan"]["rectification_rate"], quarter["gongan"]["on_time_rate"]) == (1.0, 0.5)
    year = client.get("/api/v1/ratings/stats?period=year&year=2026").json
    assert year["overall"]["total"] == 6
    windows = _rows(client.get("/api/v1/ratings/stats?period=month&year=2026&month=11&group_by=window").json)
    assert {key: row["total"] for key, row in windows.items()} == {"7": 2, "9": 1}
    items = _rows(client.get("/api/v1/ratings/stats?period=month&year=2026&month=12&group_by=item").json)
    assert items["gongan-item"]["total"] == 2
    assert client.get("/api/v1/ratings/stats?period=month&year=2027&month=1").json["overall"]["total"] == 0


def test_public_statistics_hold_no_personal_data(client, month_boundary, people):
    body = client.get("/api/v1/ratings/stats?period=year&year=2026&group_by=window").get_data(as_text=True)
    assert "citizen" not in body and "comment" not in body and "reason" not in body
    staff_grouping = client.get("/api/v1/ratings/stats?period=year&year=2026&group_by=staff")
    assert staff_grouping.status_code == 422


def test_staff_get_their_own_departments_detail(client, people, month_boundary):
    detail = client.get("/api/v1/staff/ratings/stats?period=month&year=2026&month=12&group_by=window",
                        headers=people.h(people.gongan)).json
    assert detail["department_code"] == "gongan"
    assert {row["key"]: row["total"] for row in detail["rows"]} == {"8": 2}
    assert detail["reasons"]["attitude"] == 1 and detail["reasons"]["not_solved"] == 0
    assert detail["open_rectifications"] == 0
    renshe = client.get("/api/v1/staff/ratings/stats?period=month&year=2026&month=12",
                        headers=people.h(people.renshe)).json
    assert renshe["overall"]["total"] == 1 and renshe["open_rectifications"] == 1


@pytest.mark.parametrize("query", ["period=month&year=2026", "period=month&year=2026&month=13",
                                   "period=week&year=2026", "period=quarter&year=2026&quarter=5",
                                   "period=year", "period=year&year=2026&group_by=citizen",
                                   "period=year&year=2026&nonsense=1"])
def test_bad_statistics_queries_are_4xx(client, query):
    response = client.get(f"/api/v1/ratings/stats?{query}")
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
