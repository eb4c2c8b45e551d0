"""预约取号 HTTP API (part 2): check-in, tickets, calling, the hall board, statistics."""

from __future__ import annotations

from flask_smorest import Blueprint

from identity.auth import current_actor, require_roles
from mobile_api.idempotency import idempotent
from mobile_api.uow import current_uow

from .policy import policy_from_config
from .schemas import (HallBoardSchema, CheckInCreateSchema, HallDayStatsSchema, HallStatsQueryArgsSchema,
                      TicketCreateSchema, TicketSchema, TicketTransferSchema)
from .services import calling, checkin, stats, tickets

blp = Blueprint("booking_queue", __name__, url_prefix="/api/v1/booking", description="预约取号：签到、取号与叫号")


def _ctx():
    work = current_uow()
    return work.session, work.clock, policy_from_config(work.config)


def ticket_view(session, ticket, clock, policy) -> dict:
    ahead, wait = tickets.estimate(session, ticket, clock.now(), policy)
    return {
        "id": ticket.id, "hall_id": ticket.hall_id, "display": ticket.display, "queue_id": ticket.queue_id,
        "local_date": ticket.local_date, "lane": tickets.LANE_NAMES[ticket.lane],
        "priority_reason": ticket.priority_reason, "source": ticket.source, "status": ticket.status,
        "item_code": ticket.item_code, "appointment_id": ticket.appointment_id, "window_id": ticket.window_id,
        "session_id": ticket.session_id, "call_count": ticket.call_count, "requeued": ticket.requeued,
        "issued_at": ticket.issued_at,
        "position": ahead, "estimated_wait_minutes": wait,
    }


@blp.route("/check-ins", methods=["POST"])
@require_roles("kiosk", "citizen")
@idempotent
@blp.arguments(CheckInCreateSchema)
@blp.response(201, TicketSchema)
def create_check_in(body):
    """Check in an appointment (kiosk QR, or the citizen's phone near the hall); returns the ticket."""
    session, clock, policy = _ctx()
    ticket = checkin.check_in(session, current_actor(), clock, policy, qr_payload=body.get("qr_payload"),
                              appointment_id=body.get("appointment_id"), lat=body.get("lat"), lng=body.get("lng"),
                              priority_reason=body.get("priority_reason"), priority_note=body.get("priority_note"))
    return ticket_view(session, ticket, clock, policy)


@blp.route("/tickets", methods=["POST"])
@require_roles("kiosk", "clerk")
@idempotent
@blp.arguments(TicketCreateSchema)
@blp.response(201, TicketSchema)
def create_ticket(body):
    """Take a number for a walk-in (kiosk or clerk of the hall)."""
    session, clock, policy = _ctx()
    ticket = tickets.issue_walk_in(session, current_actor(), clock, policy, item_code=body["item"],
                                   citizen_id=body.get("citizen_id"), priority_reason=body.get("priority_reason"),
                                   priority_note=body.get("priority_note"))
    return ticket_view(session, ticket, clock, policy)


@blp.route("/tickets/<int:ticket_id>")
@require_roles("citizen", "kiosk", "clerk", "admin")
@blp.response(200, TicketSchema)
def get_ticket(ticket_id):
    """A ticket with its position in the queue and the estimated wait."""
    session, clock, policy = _ctx()
    return ticket_view(session, tickets.get_visible(session, current_actor(), ticket_id), clock, policy)


@blp.route("/windows/<int:window_id>/call-next", methods=["POST"])
@require_roles("clerk")
@blp.response(200, TicketSchema)
@blp.alt_response(409, description="没有等候的号（booking.queue_empty）、本窗口仍有在办的号（booking.window_busy）"
                                   "或未在该窗口开始柜台会话（booking.session_required）")
def call_next(window_id):
    """Call the next ticket for this window, through the clerk's counter session at it."""
    session, clock, policy = _ctx()
    ticket = calling.call_next_at_window(session, current_actor(), clock, policy, window_id)
    return ticket_view(session, ticket, clock, policy)


@blp.route("/tickets/<int:ticket_id>/recall", methods=["POST"])
@require_roles("clerk")
@blp.response(200, TicketSchema)
def recall_ticket(ticket_id):
    """Call the ticket being served again."""
    session, clock, policy = _ctx()
    return ticket_view(session, calling.recall(session, current_actor(), clock, ticket_id), clock, policy)


@blp.route("/tickets/<int:ticket_id>/serve", methods=["POST"])
@require_roles("clerk")
@blp.response(200, TicketSchema)
def serve_ticket(ticket_id):
    """The called citizen is at the window: start serving (the called period ends, serving begins)."""
    session, clock, policy = _ctx()
    return ticket_view(session, calling.serve(session, current_actor(), clock, ticket_id), clock, policy)


@blp.route("/tickets/<int:ticket_id>/skip", methods=["POST"])
@require_roles("clerk")
@blp.response(200, TicketSchema)
def skip_ticket(ticket_id):
    """Skip a ticket whose holder did not come after the required number of calls."""
    session, clock, policy = _ctx()
    return ticket_view(session, calling.skip(session, current_actor(), clock, policy, ticket_id), clock, policy)


@blp.route("/tickets/<int:ticket_id>/requeue", methods=["POST"])
@require_roles("citizen", "kiosk", "clerk")
@blp.response(200, TicketSchema)
def requeue_ticket(ticket_id):
    """Queue a skipped ticket again (once)."""
    session, clock, policy = _ctx()
    return ticket_view(session, calling.requeue(session, current_actor(), clock, ticket_id), clock, policy)


@blp.route("/tickets/<int:ticket_id>/transfer", methods=["POST"])
@require_roles("clerk")
@blp.arguments(TicketTransferSchema)
@blp.response(200, TicketSchema)
def transfer_ticket(body, ticket_id):
    """Send the ticket being served to another queue of the hall."""
    session, clock, policy = _ctx()
    ticket = calling.transfer(session, current_actor(), clock, ticket_id, body["queue_id"])
    return ticket_view(session, ticket, clock, policy)


@blp.route("/tickets/<int:ticket_id>/complete", methods=["POST"])
@require_roles("clerk")
@blp.response(200, TicketSchema)
def complete_ticket(ticket_id):
    """Finish serving a ticket; the citizen is invited to rate the service."""
    session, clock, policy = _ctx()
    return ticket_view(session, calling.complete(session, current_actor(), clock, ticket_id), clock, policy)


@blp.route("/halls/<int:hall_id>/board")
@blp.response(200, HallBoardSchema)
def hall_board(hall_id):
    """What the hall's display shows: numbers being called and at which window."""
    session, clock, _ = _ctx()
    return calling.board(session, clock, hall_id)


@blp.route("/halls/<int:hall_id>/stats")
@require_roles("clerk", "approver", "admin")
@blp.arguments(HallStatsQueryArgsSchema, location="query")
@blp.response(200, HallDayStatsSchema)
def hall_stats(args, hall_id):
    """A hall's day: tickets, waits, service times per queue, window, clerk and hour, no-shows (staff)."""
    session, clock, policy = _ctx()
    return stats.stats_for_staff(session, current_actor(), hall_id, args["date"], clock.now(), policy)
