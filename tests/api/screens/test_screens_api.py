"""Board devices, stream tokens, the board's state, the notice line and the
events that booking publishes after its commits."""

from __future__ import annotations

import json
import re

import pytest

from booking.events import stream_key
from identity import services as identity_services
from tests.api.booking.booking_builders import at_window, build_hall

API = "/api/v1/screens"
BOOKING = "/api/v1/booking"


@pytest.fixture
def config_overrides():
    # streams in these tests end by themselves so the test client can read them whole
    return {"SCREENS_STREAM_MAX_SECONDS": 1, "SCREENS_HEARTBEAT_SECONDS": 1}


@pytest.fixture
def setup(session, clock):
    return build_hall(session, clock)


@pytest.fixture
def board(session, clock, setup):
    device, secret = identity_services.register_kiosk(session, clock, "BOARD-1", "大屏", setup.hall.id, kind="board")
    session.commit()
    return device, secret


@pytest.fixture
def clerk(make, setup):
    return make.headers(make.staff(hall_id=setup.hall.id))


@pytest.fixture
def kiosk(make, setup):
    device, _ = make.kiosk(hall_id=setup.hall.id)
    return make.headers(device)


def board_token(client, board):
    device, secret = board
    response = client.post(f"{API}/board-token", json={"device_code": device.device_code, "secret": secret})
    assert response.status_code == 200, response.json
    return response


def events(redis_client, hall_id):
    return [json.loads(fields["e"]) for _, fields in redis_client.xrange(stream_key(hall_id))]


def frames(body: str) -> list[dict]:
    out = []
    for block in body.split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line and not line.startswith(":"))
        if "data" in fields:
            out.append({"id": fields.get("id"), **json.loads(fields["data"])})
    return out


def test_a_board_gets_a_stream_token_of_its_hall_and_a_cookie(client, board, setup):
    response = board_token(client, board)
    assert response.json["hall_id"] == setup.hall.id
    assert response.json["stream_url"].startswith(f"{API}/halls/{setup.hall.id}/events?token=")
    cookie = response.headers["Set-Cookie"]
    assert "screens_token=" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert "Path=/api/v1/screens" in cookie


def test_a_board_secret_buys_no_kiosk_token_and_a_kiosk_secret_no_board_token(client, board, make, setup):
    device, secret = board
    refused = client.post("/api/v1/auth/kiosk/token", json={"device_code": device.device_code, "secret": secret})
    assert refused.status_code == 401
    kiosk, kiosk_secret = make.kiosk(hall_id=setup.hall.id)
    refused = client.post(f"{API}/board-token", json={"device_code": kiosk.device_code, "secret": kiosk_secret})
    assert refused.status_code == 401
    assert refused.json["code"] == "auth.invalid_device_credentials"


def test_the_board_state_needs_a_token_of_that_hall(client, board, setup, session, clock):
    token = board_token(client, board).json["token"]
    state = client.get(f"{API}/halls/{setup.hall.id}/board", query_string={"token": token})
    assert state.status_code == 200
    assert {q["prefix"] for q in state.json["queues"]} == {"A", "B"}
    assert all("estimated_wait_minutes" in q for q in state.json["queues"])
    assert state.json["notice"] == ""
    # the cookie that minting set is enough; without it or the query token, nothing
    assert client.get(f"{API}/halls/{setup.hall.id}/board").status_code == 200
    assert client.application.test_client().get(f"{API}/halls/{setup.hall.id}/board").status_code == 401
    bad = client.get(f"{API}/halls/{setup.hall.id}/board", query_string={"token": token[:-2] + "xx"})
    assert bad.status_code == 401 and bad.json["code"] == "screens.stream_token_invalid"
    other = build_hall(session, clock, code="T-OTHER")
    wrong = client.get(f"{API}/halls/{other.hall.id}/board", query_string={"token": token})
    assert wrong.status_code == 403 and wrong.json["code"] == "screens.wrong_hall"


def test_a_deactivated_board_loses_its_stream(client, board, setup, session):
    token = board_token(client, board).json["token"]
    board[0].active = False
    session.commit()
    refused = client.get(f"{API}/halls/{setup.hall.id}/events", query_string={"token": token})
    assert refused.status_code == 401


def test_an_expired_token_is_refused(client, board, setup, clock):
    token = board_token(client, board).json["token"]
    clock.advance(minutes=11)
    assert client.get(f"{API}/halls/{setup.hall.id}/board", query_string={"token": token}).status_code == 401


def test_calling_publishes_after_commit_and_a_refused_call_publishes_nothing(client, clerk, kiosk, setup,
                                                                            redis_client):
    window = setup.general_windows[0]
    counter = at_window(client, clerk, window.id)
    empty = client.post(f"{BOOKING}/counter-sessions/{counter}/call-next", headers=clerk)
    assert empty.status_code == 409
    assert events(redis_client, setup.hall.id) == []
    ticket = client.post(f"{BOOKING}/tickets", json={"item": setup.general_item}, headers=kiosk).json
    called = client.post(f"{BOOKING}/counter-sessions/{counter}/call-next", headers=clerk).json
    client.post(f"{BOOKING}/tickets/{called['id']}/recall", headers=clerk)
    client.post(f"{BOOKING}/tickets/{called['id']}/serve", headers=clerk)
    client.post(f"{BOOKING}/tickets/{called['id']}/complete", headers=clerk)
    kinds = [(e["type"], e.get("number"), e.get("window")) for e in events(redis_client, setup.hall.id)]
    assert kinds == [("queue.changed", ticket["number"], None), ("ticket.called", ticket["number"], window.number),
                     ("ticket.recalled", ticket["number"], window.number),
                     ("ticket.serving", ticket["number"], window.number),
                     ("ticket.completed", ticket["number"], window.number)]
    assert all("citizen_id" not in e for e in events(redis_client, setup.hall.id))


def test_a_clerk_of_the_hall_gets_a_stream_token_a_clerk_of_another_does_not(client, clerk, make, setup,
                                                                             session, clock):
    assert client.post(f"{API}/halls/{setup.hall.id}/stream-token", headers=clerk).status_code == 200
    other = build_hall(session, clock, code="T-OTHER")
    stranger = make.headers(make.staff(hall_id=other.hall.id))
    assert client.post(f"{API}/halls/{setup.hall.id}/stream-token", headers=stranger).status_code == 403
    citizen = make.headers(make.citizen())
    assert client.post(f"{API}/halls/{setup.hall.id}/stream-token", headers=citizen).status_code == 403


def test_the_stream_says_hello_then_replays_after_last_event_id(client, board, clerk, kiosk, setup):
    token = board_token(client, board).json["token"]
    first = client.get(f"{API}/halls/{setup.hall.id}/events", query_string={"token": token})
    assert first.status_code == 200 and first.mimetype == "text/event-stream"
    assert first.headers["Cache-Control"].startswith("no-cache")
    hello = frames(first.get_data(as_text=True))
    assert hello[0]["type"] == "hello" and hello[0]["id"] == "0-0"
    client.post(f"{BOOKING}/tickets", json={"item": setup.general_item}, headers=kiosk)
    at_window(client, clerk, setup.general_windows[0].id)
    client.post(f"{BOOKING}/windows/{setup.general_windows[0].id}/call-next", headers=clerk)
    # a reconnect with the last id it saw gets what it missed, in order
    again = client.get(f"{API}/halls/{setup.hall.id}/events", query_string={"token": token},
                       headers={"Last-Event-ID": hello[0]["id"]})
    missed = frames(again.get_data(as_text=True))
    assert [f["type"] for f in missed] == ["queue.changed", "ticket.called"]
    # and from the middle, only the rest (the query parameter does what the header does)
    rest = client.get(f"{API}/halls/{setup.hall.id}/events",
                      query_string={"token": token, "last_event_id": missed[0]["id"]})
    assert [f["type"] for f in frames(rest.get_data(as_text=True))] == ["ticket.called"]


def test_an_id_the_log_no_longer_holds_gets_a_resync(client, board, kiosk, setup, redis_client):
    token = board_token(client, board).json["token"]
    for _ in range(3):
        client.post(f"{BOOKING}/tickets", json={"item": setup.general_item}, headers=kiosk)
    first_id = redis_client.xrange(stream_key(setup.hall.id))[0][0]
    redis_client.xtrim(stream_key(setup.hall.id), maxlen=1, approximate=False)
    for stale in (first_id, "garbage", "1-0"):
        body = client.get(f"{API}/halls/{setup.hall.id}/events", query_string={"token": token},
                          headers={"Last-Event-ID": stale}).get_data(as_text=True)
        assert [f["type"] for f in frames(body)] == ["resync"], stale


def test_a_full_process_answers_503_and_a_closed_stream_frees_its_place(app, client, board, setup):
    token = board_token(client, board).json["token"]
    slots = app.extensions["screens"]["slots"]
    held = 0
    while slots.acquire(blocking=False):
        held += 1
    try:
        full = client.get(f"{API}/halls/{setup.hall.id}/events", query_string={"token": token})
        assert full.status_code == 503 and full.json["code"] == "screens.too_many_streams"
        slots.release()
        held -= 1
        opened = client.get(f"{API}/halls/{setup.hall.id}/events", query_string={"token": token})
        assert opened.status_code == 200
        opened.close()
        assert slots.acquire(blocking=False)  # the stream's place came back
        held += 1
    finally:
        for _ in range(held):
            slots.release()


def test_the_hall_admin_sets_the_notice_and_boards_are_told(client, make, board, setup, redis_client):
    admin = make.headers(make.staff("admin", department_code=None, hall_id=setup.hall.id))
    answer = client.put(f"{API}/halls/{setup.hall.id}/notice", json={"text": "  今日 16:00 起  社保业务暂停  "},
                        headers=admin)
    assert answer.status_code == 200 and answer.json["text"] == "今日 16:00 起 社保业务暂停"
    assert [e["type"] for e in events(redis_client, setup.hall.id)] == ["hall.notice"]
    token = board_token(client, board).json["token"]
    state = client.get(f"{API}/halls/{setup.hall.id}/board", query_string={"token": token}).json
    assert state["notice"] == "今日 16:00 起 社保业务暂停"
    clerk = make.headers(make.staff(hall_id=setup.hall.id))
    assert client.put(f"{API}/halls/{setup.hall.id}/notice", json={"text": "x"}, headers=clerk).status_code == 403
    long = client.put(f"{API}/halls/{setup.hall.id}/notice", json={"text": "长" * 201}, headers=admin)
    assert long.status_code == 422 and long.json["code"] == "screens.notice_invalid"


def test_closing_a_session_with_a_ticket_at_the_window_tells_the_boards(client, clerk, kiosk, setup, redis_client):
    counter = at_window(client, clerk, setup.general_windows[0].id)
    client.post(f"{BOOKING}/tickets", json={"item": setup.general_item}, headers=kiosk)
    called = client.post(f"{BOOKING}/counter-sessions/{counter}/call-next", headers=clerk).json
    assert client.post(f"{BOOKING}/counter-sessions/{counter}/close", headers=clerk).status_code == 200
    last = events(redis_client, setup.hall.id)[-1]
    assert (last["type"], last["ticket_id"]) == ("ticket.returned", called["id"])


def test_the_console_shows_windows_waiting_list_and_my_figures(client, clerk, kiosk, setup):
    client.post(f"{BOOKING}/tickets", json={"item": setup.general_item}, headers=kiosk)
    client.post(f"{BOOKING}/tickets", json={"item": setup.general_item}, headers=kiosk)
    window = setup.general_windows[0]
    at_window(client, clerk, window.id)
    called = client.post(f"{BOOKING}/windows/{window.id}/call-next", headers=clerk).json
    view = client.get(f"{API}/console", headers=clerk).json
    mine = next(w for w in view["windows"] if w["id"] == window.id)
    assert mine["current"]["number"] == called["number"] and mine["staffed"] is True
    assert [w["staffed"] for w in view["windows"] if w["id"] != window.id] == [False, False]
    assert [t["number"] for t in view["waiting"]] == ["A002"]
    assert set(view["waiting"][0]) >= {"number", "lane", "item_code", "waited_minutes"}
    assert "citizen_id" not in view["waiting"][0]
    assert view["mine"] == {"called": 1, "completed": 0, "skipped": 0, "average_service_minutes": None}


def test_with_redis_down_the_stream_says_so_and_the_board_still_reads(client, board, setup, app, monkeypatch):
    from redis.exceptions import ConnectionError as RedisDown

    token = board_token(client, board).json["token"]

    def down(*args, **kwargs):
        raise RedisDown("down")

    monkeypatch.setattr(app.extensions["redis"], "ping", down)
    refused = client.get(f"{API}/halls/{setup.hall.id}/events", query_string={"token": token})
    assert refused.status_code == 503 and refused.json["code"] == "screens.events_unavailable"
    assert client.get(f"{API}/halls/{setup.hall.id}/board", query_string={"token": token}).status_code == 200


def test_a_board_is_registered_and_revoked_from_the_command_line(app, client, setup):
    import re

    runner = app.test_cli_runner()
    result = runner.invoke(args=["board", "register", "BOARD-CLI", "--name", "三楼叫号屏", "--hall", str(setup.hall.id)])
    assert result.exit_code == 0, result.output
    secret = re.search(r"secret \(shown once.*\): (\S+)", result.output).group(1)
    assert f"/screens/board/{setup.hall.id}#device=BOARD-CLI&secret={secret}" in result.output
    body = {"device_code": "BOARD-CLI", "secret": secret}
    assert client.post(f"{API}/board-token", json=body).status_code == 200
    # a board is never managed as a kiosk (the two share a table)
    mixed = runner.invoke(args=["kiosk", "deactivate", "BOARD-CLI"])
    assert mixed.exit_code != 0 and "identity.kiosk_not_found" in mixed.output
    assert client.post(f"{API}/board-token", json=body).status_code == 200
    assert runner.invoke(args=["board", "deactivate", "BOARD-CLI"]).exit_code == 0
    assert client.post(f"{API}/board-token", json=body).status_code == 401
    assert runner.invoke(args=["board", "reactivate", "BOARD-CLI"]).exit_code == 0
    assert client.post(f"{API}/board-token", json=body).status_code == 200


def test_the_pages_are_served_with_a_strict_content_security_policy(client, setup):
    for path in (f"/screens/board/{setup.hall.id}", "/screens/window"):
        page = client.get(path)
        assert page.status_code == 200 and page.mimetype == "text/html"
        policy = page.headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy
        html = page.get_data(as_text=True)
        assert "<script>" not in html and "style=" not in html and "http" not in html.replace("http-equiv", "")
    for asset in ("board.js", "window.js", "events.js", "api.js", "dom.js", "vendor/openapi-fetch.js", "screens.css"):
        assert client.get(f"/screens/static/{asset}").status_code == 200


def test_the_pages_call_the_api_through_the_generated_client(client):
    """Every module the two pages load (following their imports as the browser
    does) is served as JavaScript from this origin; the JSON calls go through
    openapi-fetch (vendored, compiled against the generated types by
    screens/build.sh) and no page module calls fetch() by hand."""
    seen: dict[str, str] = {}
    todo = ["board.js", "window.js"]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        answer = client.get(f"/screens/static/{name}")
        assert answer.status_code == 200 and answer.mimetype in ("text/javascript", "application/javascript"), name
        seen[name] = answer.get_data(as_text=True)
        base = name.rsplit("/", 1)[0] + "/" if "/" in name else ""
        for spec in re.findall(r'^(?:import|export)\b[^;]*?\bfrom\s+"([^"]+)"', seen[name], re.M):
            assert spec.startswith("./"), f"{name} imports {spec}: a bare or remote module the browser cannot load"
            todo.append(base + spec[2:])
    assert "vendor/openapi-fetch.js" in seen
    assert "openapi-fetch 0.17.0 (MIT licence" in seen["vendor/openapi-fetch.js"]
    assert 'from "./vendor/openapi-fetch.js"' in seen["api.js"]
    for name, source in seen.items():
        if not name.startswith("vendor/"):
            assert not re.search(r"\bfetch\(", source), f"{name} calls fetch() instead of the typed client"
