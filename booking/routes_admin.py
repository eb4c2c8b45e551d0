"""City set-up API (`/api/v1/booking/admin`): halls, queues, windows, which
hall handles which item, closures. Platform admin: everything; a hall admin:
their own hall (no new halls). See docs/hall.md, "Setting up a city"."""

from __future__ import annotations

from flask_smorest import Blueprint

from identity.auth import current_actor, require_roles
from mobile_api.pagination import PAGINATION_HEADER_DOC, PageArgsSchema, paginate, pagination_header
from mobile_api.uow import current_uow

from .schemas import CalendarOverrideSchema
from .schemas_admin import (AdminHallSchema, AdminQueueSchema, AdminWindowSchema, ClosureCreateSchema,
                            ClosureQueryArgsSchema, HallCreateSchema, HallItemLinkSchema, HallItemSetSchema,
                            HallSetupSchema, HallUpdateSchema, QueueCreateSchema, QueueUpdateSchema,
                            WindowCreateSchema, WindowUpdateSchema)
from .services import setup
from .services.common import local_today

blp = Blueprint("booking_admin", __name__, url_prefix="/api/v1/booking/admin", description="预约取号：城市大厅设置")


def _ctx():
    work = current_uow()
    return work.session, work.clock, current_actor()


def _window_view(session, window):
    return {"id": window.id, "hall_id": window.hall_id, "number": window.number, "name": window.name,
            "kind": window.kind, "active": window.active,
            "queue_ids": setup.served_queue_ids(session, [window.id]).get(window.id, [])}


def _queue_view(queue, items=0):
    return {"id": queue.id, "hall_id": queue.hall_id, "prefix": queue.prefix, "name": queue.name,
            "general": queue.general, "places_per_window": queue.places_per_window, "items": items}


@blp.route("/halls", methods=["GET"])
@require_roles("admin")
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, AdminHallSchema(many=True), headers=PAGINATION_HEADER_DOC)
def list_halls(args):
    """Halls I set up (platform admin: all, inactive too; a hall admin: mine)."""
    session, _, actor = _ctx()
    rows, total = paginate(session, setup.list_admin_halls(session, actor), args["page"], args["page_size"])
    return rows, 200, pagination_header(total, args["page"], args["page_size"])


@blp.route("/halls", methods=["POST"])
@require_roles("admin")
@blp.arguments(HallCreateSchema)
@blp.response(201, AdminHallSchema)
@blp.alt_response(409, description="大厅编码已存在")
def create_hall(body):
    """Create a hall (platform admin)."""
    session, clock, actor = _ctx()
    return setup.create_hall(session, clock, actor, body)


@blp.route("/halls/<int:hall_id>", methods=["GET"])
@require_roles("admin")
@blp.response(200, HallSetupSchema)
def get_hall_setup(hall_id):
    """A hall with its queues, windows and items, inactive ones included."""
    session, _, actor = _ctx()
    found = setup.hall_setup(session, actor, hall_id)
    return {"hall": found["hall"], "queues": [_queue_view(q["queue"], q["items"]) for q in found["queues"]],
            "windows": [dict(_window_view(session, w["window"]), queue_ids=w["queue_ids"])
                        for w in found["windows"]],
            "items": found["items"]}


@blp.route("/halls/<int:hall_id>", methods=["PATCH"])
@require_roles("admin")
@blp.arguments(HallUpdateSchema)
@blp.response(200, AdminHallSchema)
def update_hall(body, hall_id):
    """Change a hall's name, address, location, opening hours, lunch break or active flag."""
    session, clock, actor = _ctx()
    return setup.update_hall(session, clock, actor, hall_id, body)


@blp.route("/halls/<int:hall_id>/closures", methods=["GET"])
@require_roles("admin")
@blp.arguments(ClosureQueryArgsSchema, location="query")
@blp.response(200, CalendarOverrideSchema(many=True))
def list_closures(args, hall_id):
    """The hall's closures and extra opening days from a date on (default today)."""
    session, clock, actor = _ctx()
    return setup.list_overrides(session, actor, hall_id, args.get("since") or local_today(clock.now()))


@blp.route("/halls/<int:hall_id>/closures", methods=["POST"])
@require_roles("admin")
@blp.arguments(ClosureCreateSchema)
@blp.response(201, CalendarOverrideSchema)
def close_hall(body, hall_id):
    """Close the hall on a day (booked citizens are told), or open it on an extra day."""
    session, clock, actor = _ctx()
    return setup.close_hall(session, clock, actor, hall_id, body["date"], body["reason"], body["open"])


@blp.route("/halls/<int:hall_id>/queues", methods=["POST"])
@require_roles("admin")
@blp.arguments(QueueCreateSchema)
@blp.response(201, AdminQueueSchema)
@blp.alt_response(409, description="前缀已被本大厅的其他队列使用")
def create_queue(body, hall_id):
    """Add a queue (ticket prefix, name, places per window) to a hall."""
    session, clock, actor = _ctx()
    return _queue_view(setup.add_queue(session, clock, actor, hall_id, **body))


@blp.route("/queues/<int:queue_id>", methods=["PATCH"])
@require_roles("admin")
@blp.arguments(QueueUpdateSchema)
@blp.response(200, AdminQueueSchema)
def update_queue(body, queue_id):
    """Rename a queue, or change its places per window (new slots only)."""
    session, clock, actor = _ctx()
    return _queue_view(setup.update_queue(session, clock, actor, queue_id, body))


@blp.route("/halls/<int:hall_id>/windows", methods=["POST"])
@require_roles("admin")
@blp.arguments(WindowCreateSchema)
@blp.response(201, AdminWindowSchema)
@blp.alt_response(409, description="窗口编号已存在")
def create_window(body, hall_id):
    """Add a window and the queues it serves."""
    session, clock, actor = _ctx()
    return _window_view(session, setup.add_window(session, clock, actor, hall_id, **body))


@blp.route("/windows/<int:window_id>", methods=["PATCH"])
@require_roles("admin")
@blp.arguments(WindowUpdateSchema)
@blp.response(200, AdminWindowSchema)
def update_window(body, window_id):
    """Rename, (de)activate a window or change the queues it serves."""
    session, clock, actor = _ctx()
    return _window_view(session, setup.update_window(session, clock, actor, window_id, body))


@blp.route("/halls/<int:hall_id>/items/<string:item_code>", methods=["PUT"])
@require_roles("admin")
@blp.arguments(HallItemSetSchema)
@blp.response(200, HallItemLinkSchema)
def set_hall_item(body, hall_id, item_code):
    """The hall handles this catalogue item, in this queue."""
    session, clock, actor = _ctx()
    return setup.set_hall_item(session, clock, actor, hall_id, item_code, body["queue_id"])


@blp.route("/halls/<int:hall_id>/items/<string:item_code>", methods=["DELETE"])
@require_roles("admin")
@blp.response(204)
def remove_hall_item(hall_id, item_code):
    """The hall no longer handles this item (appointments already booked stay)."""
    session, clock, actor = _ctx()
    setup.remove_hall_item(session, clock, actor, hall_id, item_code)
