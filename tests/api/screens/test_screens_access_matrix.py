"""大厅屏幕's rows of the access matrix (tests/access/matrix.py), run for every principal kind."""

from __future__ import annotations

import pytest

from tests.access.matrix import MATRIX
from tests.access.runner import check_row, headers_of, principals, row_params, rows_under
from tests.api.booking.booking_builders import build_hall

API = "/api/v1/screens"


@pytest.fixture
def config_overrides():
    return {"SCREENS_STREAM_MAX_SECONDS": 1}


@pytest.fixture
def world(session, clock, make):
    here = build_hall(session, clock)
    there = build_hall(session, clock, code="T-OTHER", lat=23.05, lng=113.76)
    people = principals(make, here_hall=here.hall.id, there_hall=there.hall.id, department="gongan",
                        other_department="minzheng")
    session.commit()
    return {"here": here.hall.id, "there": there.hall.id, "headers": headers_of(make, people)}


def _stream_token(app, world, kind):
    """The stream token this principal can get for its own hall (the platform admin: for any)."""
    hall = world["there"] if kind.endswith("_elsewhere") else world["here"]
    client = app.test_client()
    answer = client.post(f"{API}/halls/{hall}/stream-token", headers=world["headers"][kind])
    return answer.json["token"] if answer.status_code == 200 else None


@pytest.mark.parametrize("method,template", row_params(rows_under(API)))
def test_every_principal_kind_gets_the_documented_answer(app, client, world, method, template):
    path = template.format(hall_id=world["here"])
    body = {"text": "今日下午系统维护"} if template.endswith("/notice") else None
    prepare = None
    if method == "GET":
        def prepare(kind, granted):
            token = _stream_token(app, world, kind)
            return path, {"query_string": {"token": token} if token else None}
    mismatches = check_row(client, method, path, MATRIX[(method, template)],
                           lambda kind: world["headers"][kind], body=body, prepare=prepare)
    assert not mismatches, "\n".join(mismatches)
