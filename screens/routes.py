"""Hall screens HTTP API: stream tokens, the hall's event stream, the board's
state, the notice line and the window console's view."""

from __future__ import annotations

import threading

from flask import Response, current_app, request
from flask_smorest import Blueprint
from redis.exceptions import RedisError
from werkzeug.http import dump_cookie

from booking.policy import policy_from_config
from identity import services as identity_services
from identity.auth import current_actor, require_roles
from mobile_api.ratelimit import rate_limit
from mobile_api.uow import current_uow

from . import services, tokens
from .errors import EventsUnavailable, TooManyStreams
from .schemas import (BoardArgsSchema, BoardSchema, BoardTokenRequestSchema, ConsoleSchema, NoticeResultSchema,
                      NoticeSchema, StreamArgsSchema, StreamTokenSchema)
from .stream import HallStream

blp = Blueprint("screens", __name__, url_prefix="/api/v1/screens", description="大厅叫号大屏与窗口工作台：实时事件")


def _state() -> dict:
    return current_app.extensions["screens"]


def _minted(hall_id: int, kind: str, principal_id: int) -> dict:
    work = current_uow()
    token, expires = tokens.mint(current_app.config["SECRET_KEY"], work.clock.now(),
                                 work.config["SCREENS_STREAM_TOKEN_SECONDS"], hall_id, kind, principal_id)
    return {"token": token, "hall_id": hall_id, "expires_at": expires,
            "stream_url": f"{blp.url_prefix}/halls/{hall_id}/events?token={token}"}


def _cookie(answer: dict) -> dict:
    """The token also as an HttpOnly cookie for this API's paths, so a page's
    EventSource and fetches need not carry it in the URL."""
    seconds = current_uow().config["SCREENS_STREAM_TOKEN_SECONDS"]
    return {"Set-Cookie": dump_cookie(tokens.COOKIE, answer["token"], max_age=seconds, path=blp.url_prefix,
                                      httponly=True, samesite="Strict", secure=request.is_secure)}


def _grant(hall_id: int, token: str | None):
    work = current_uow()
    grant = tokens.verify(current_app.config["SECRET_KEY"], work.clock.now(),
                          token or request.cookies.get(tokens.COOKIE))
    services.check_grant(work.session, grant, hall_id)
    return grant


@blp.route("/board-token", methods=["POST"])
@rate_limit("SCREENS_BOARD_LOGIN_LIMIT")
@blp.arguments(BoardTokenRequestSchema)
@blp.response(200, StreamTokenSchema)
@blp.alt_response(401, description="设备编号或密钥不正确（auth.invalid_device_credentials）")
def board_token(body):
    """A board device's secret for a short stream token of its hall (also set as a cookie)."""
    device = identity_services.board_device(current_uow().session, body["device_code"], body["secret"])
    answer = _minted(device.hall_id, "board", device.id)
    return answer, 200, _cookie(answer)


@blp.route("/halls/<int:hall_id>/stream-token", methods=["POST"])
@require_roles("clerk", "admin")
@blp.response(200, StreamTokenSchema)
def stream_token(hall_id):
    """A stream token for staff of the hall (the window console's EventSource)."""
    actor = current_actor()
    services.ensure_may_watch(actor, hall_id)
    answer = _minted(hall_id, "staff", actor.id)
    return answer, 200, _cookie(answer)


@blp.route("/halls/<int:hall_id>/events")
@blp.arguments(StreamArgsSchema, location="query")
@blp.response(200, description="text/event-stream：每条事件 id 为 Redis stream id，data 为 JSON（type 说明变化）")
@blp.alt_response(401, description="事件流令牌无效或已过期（screens.stream_token_invalid）")
@blp.alt_response(503, description="本进程事件流连接已满（screens.too_many_streams）或 Redis 不可用（screens.events_unavailable），稍后重连")
def hall_events(args, hall_id):
    """The hall's live events (server-sent events); reconnect with Last-Event-ID to get what was missed."""
    _grant(hall_id, args["token"])
    redis = current_app.extensions["redis"]
    try:
        redis.ping()
    except RedisError as exc:  # say so now, not with a stream that ends at once
        raise EventsUnavailable("实时事件暂不可用，请稍后重连", retry_after=5) from exc
    state = _state()
    if not state["slots"].acquire(blocking=False):
        raise TooManyStreams("当前连接过多，请稍后重连", retry_after=5)
    cfg = current_uow().config
    body = HallStream(state["hub"], redis, hall_id,
                      request.headers.get("Last-Event-ID") or args["last_event_id"],
                      heartbeat=cfg["SCREENS_HEARTBEAT_SECONDS"], max_seconds=cfg["SCREENS_STREAM_MAX_SECONDS"],
                      log_length=cfg["SCREENS_EVENT_LOG_LENGTH"], slot=state["slots"])
    # the request's session closes when this view returns: the open stream holds no database connection
    return Response(body, mimetype="text/event-stream",
                    headers={"Cache-Control": "no-cache, no-transform", "X-Accel-Buffering": "no"})


@blp.route("/halls/<int:hall_id>/board")
@blp.arguments(BoardArgsSchema, location="query")
@blp.response(200, BoardSchema)
def hall_board(args, hall_id):
    """The display board's state: calls, waiting and estimated wait per queue, the notice line (stream token)."""
    _grant(hall_id, args["token"])
    work = current_uow()
    return services.board_state(work.session, work.clock, policy_from_config(work.config), hall_id)


@blp.route("/halls/<int:hall_id>/notice", methods=["PUT"])
@require_roles("admin")
@blp.arguments(NoticeSchema)
@blp.response(200, NoticeResultSchema)
def put_notice(body, hall_id):
    """Set the hall's notice line (its hall admin or the platform admin); boards show it at once."""
    work = current_uow()
    return services.set_notice(work.session, current_actor(), work.clock, hall_id, body["text"])


@blp.route("/console")
@require_roles("clerk", "admin")
@blp.response(200, ConsoleSchema)
def console():
    """The window console's view: the hall's windows and what each serves, the waiting list, my figures today."""
    work = current_uow()
    return services.console_view(work.session, current_actor(), work.clock, policy_from_config(work.config))


def make_state(app) -> dict:
    from .hub import Hub

    return {"hub": Hub(app.extensions["redis"]),
            "slots": threading.BoundedSemaphore(app.config["SCREENS_MAX_STREAMS_PER_WORKER"])}
