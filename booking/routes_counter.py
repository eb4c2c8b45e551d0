"""预约取号 HTTP API (part 3): counter sessions, the window's waiting list, calling for a session."""

from __future__ import annotations

from flask_smorest import Blueprint

from identity.auth import current_actor, require_roles
from mobile_api.uow import current_uow

from .policy import policy_from_config
from .routes_queue import ticket_view
from .schemas import TicketSchema
from .schemas_counter import CounterSessionCreateSchema, CounterSessionSchema, WaitingListSchema
from .services import calling, counter, waiting

blp = Blueprint("booking_counter", __name__, url_prefix="/api/v1/booking",
                description="预约取号：柜台会话（窗口人员在岗、叫号、等候列表）")


def _ctx():
    work = current_uow()
    return work.session, work.clock, policy_from_config(work.config)


@blp.route("/counter-sessions", methods=["POST"])
@require_roles("clerk")
@blp.arguments(CounterSessionCreateSchema)
@blp.response(201, CounterSessionSchema)
@blp.alt_response(409, description="窗口已有人在岗（booking.window_taken）或本人已在其他窗口（booking.session_open）")
def open_counter_session(body):
    """Open a counter session: the clerk takes one window of their hall."""
    session, clock, _ = _ctx()
    work = counter.open_session(session, current_actor(), clock, body["window_id"])
    return counter.view(session, work, clock.now())


@blp.route("/counter-sessions/current")
@require_roles("clerk")
@blp.response(200, CounterSessionSchema)
def current_counter_session():
    """The clerk's open or paused counter session (404 booking.no_session when none)."""
    session, clock, _ = _ctx()
    return counter.view(session, counter.current(session, current_actor()), clock.now())


@blp.route("/counter-sessions/<int:session_id>")
@require_roles("clerk", "admin")
@blp.response(200, CounterSessionSchema)
def get_counter_session(session_id):
    """A counter session (its clerk, the hall's admin)."""
    session, clock, _ = _ctx()
    return counter.view(session, counter.get_overseen(session, current_actor(), session_id), clock.now())


@blp.route("/counter-sessions/<int:session_id>/pause", methods=["POST"])
@require_roles("clerk")
@blp.response(200, CounterSessionSchema)
def pause_counter_session(session_id):
    """Pause: no calls until resumed (a ticket already at the window stays)."""
    session, clock, _ = _ctx()
    return counter.view(session, counter.pause(session, current_actor(), clock, session_id), clock.now())


@blp.route("/counter-sessions/<int:session_id>/resume", methods=["POST"])
@require_roles("clerk")
@blp.response(200, CounterSessionSchema)
def resume_counter_session(session_id):
    """Resume a paused counter session."""
    session, clock, _ = _ctx()
    return counter.view(session, counter.resume(session, current_actor(), clock, session_id), clock.now())


@blp.route("/counter-sessions/<int:session_id>/close", methods=["POST"])
@require_roles("clerk", "admin")
@blp.response(200, CounterSessionSchema)
def close_counter_session(session_id):
    """Close the session (its clerk, or the hall's admin); a ticket still at the window goes back in line."""
    session, clock, _ = _ctx()
    return counter.view(session, counter.close(session, current_actor(), clock, session_id), clock.now())


@blp.route("/counter-sessions/<int:session_id>/waiting")
@require_roles("clerk", "admin")
@blp.response(200, WaitingListSchema)
def counter_session_waiting(session_id):
    """Who waits for this window: number, queue, lane, appointment or walk-in, item, minutes waited."""
    session, clock, _ = _ctx()
    work = counter.get_overseen(session, current_actor(), session_id)
    return waiting.waiting_list(session, work, clock.now())


@blp.route("/counter-sessions/<int:session_id>/call-next", methods=["POST"])
@require_roles("clerk")
@blp.response(200, TicketSchema)
@blp.alt_response(409, description="没有等候的号（booking.queue_empty）、本窗口仍有在办的号（booking.window_busy）"
                                   "或会话已暂停（booking.session_paused）")
def counter_session_call_next(session_id):
    """Call the next ticket for the session's window: by priority, then time, with the fairness rule."""
    session, clock, policy = _ctx()
    ticket = calling.call_next(session, current_actor(), clock, policy, session_id)
    return ticket_view(session, ticket, clock, policy)
