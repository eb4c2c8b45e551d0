"""Catalogue reads for citizens and kiosks (public), and admin publishing."""

from __future__ import annotations

from flask import current_app, json, request
from flask_smorest import Blueprint

from identity.auth import current_actor, require_roles
from mobile_api.ratelimit import client_ip
from mobile_api.pagination import PAGINATION_HEADER_DOC, pagination_header
from mobile_api.uow import current_uow

from . import services
from .i18n import localise_item, localise_summary, negotiate
from .services import unmet
from .schemas import (DepartmentSchema, ItemDraftSchema, ItemQueryArgsSchema, ItemSchema, ItemVersionSchema,
                      ItemVersionSummarySchema, LifeEventSchema, SearchResponseSchema, SyncArgsSchema, SyncSchema,
                      ThemeDetailSchema, ThemeSchema)
from .errors import ItemNotFound, ThemeNotFound
from .search.build import IndexHolder, item_summary
from .search.service import FILTERS, search_items
from .search.text import CONTROL

blp = Blueprint("guides", __name__, url_prefix="/api/v1/guides", description="办事指南")

_item_schema = ItemSchema()


def _session():
    return current_uow().session


def _clock():
    return current_uow().clock


def holder() -> IndexHolder:
    found = current_app.extensions.get("guides_index")
    if found is None:
        found = IndexHolder(current_app.config["GUIDES_INDEX_CHECK_SECONDS"])
        current_app.extensions["guides_index"] = found
    return found


@blp.before_request
def _refuse_control_characters_in_path():
    """No item code or theme id holds a control character; PostgreSQL refuses
    NUL in a text parameter outright, so such a path must not reach a query."""
    args = request.view_args or {}
    if CONTROL.search(args.get("code") or ""):
        raise ItemNotFound("事项不存在：编码含有控制字符")
    if CONTROL.search(args.get("theme_id") or ""):
        raise ThemeNotFound("主题不存在：编号含有控制字符")


def _changed() -> None:
    """This process changed the catalogue: its own index catches up as soon as
    the change is committed (before that, a rebuild would read the old one)."""
    current_uow().after_commit(holder().invalidate)


# -- citizens and kiosks ----------------------------------------------------------

def _language() -> str:
    """Once per request; no header (most clients) costs no parsing."""
    language = request.environ.get("guides.language")
    if language is None:
        language = negotiate(request.accept_languages) if "Accept-Language" in request.headers else "zh"
        request.environ["guides.language"] = language
    return language


def _localised(response, language: str):
    response.headers["Content-Language"] = language
    response.vary.add("Accept-Language")
    return response


@blp.after_request
def _say_language(response):
    """Every catalogue answer may differ by Accept-Language: say so to caches."""
    return _localised(response, _language())


def _log_unmet(session, query: str, language: str) -> None:
    actor = current_actor(required=False)
    client = actor.subject if actor is not None else f"ip:{client_ip()}"
    config = current_app.config
    unmet.record(session, current_app.extensions["redis"], query=query, language=language, client=client,
                 now=_clock().now(), per_client_per_hour=config["GUIDES_UNMET_PER_CLIENT_PER_HOUR"],
                 retention_days=config["GUIDES_UNMET_RETENTION_DAYS"])


@blp.route("/items", methods=["GET"])
@blp.arguments(ItemQueryArgsSchema, location="query")
@blp.response(200, SearchResponseSchema, headers=PAGINATION_HEADER_DOC)
def search(args):
    """Search and filter the published items, best match first (English with Accept-Language: en)."""
    session = _session()
    language = _language()
    body, total = search_items(session, holder().current(session), args, language)
    if not body["matched"] and args["page"] == 1 and not any(k in args for k in FILTERS):
        _log_unmet(session, body["query"], language)
    return body, 200, pagination_header(total, args["page"], args["page_size"])


@blp.route("/items/<code>", methods=["GET"])
@blp.response(200, ItemSchema, headers={"ETag": {"description": "内容版本", "schema": {"type": "string"}}})
@blp.alt_response(304, description="未修改（If-None-Match 命中）")
@blp.alt_response(404, description="事项不存在或未发布")
def get_item(code):
    """Read a published item's full guide (honours If-None-Match; English with Accept-Language: en)."""
    language = _language()
    etag, body = holder().payload(_session, code, lambda item: _dump_item(item, language), language)
    if request.if_none_match.contains_weak(etag.strip('"')):
        response = current_app.response_class(status=304)
    else:
        response = current_app.response_class(body, status=200, mimetype="application/json")
    response.headers["ETag"] = etag
    response.headers["Cache-Control"] = "no-cache"
    return response


def _dump_item(item, language: str = "zh") -> bytes:
    return json.dumps(localise_item(_item_schema.dump(item), language), ensure_ascii=False).encode()


@blp.route("/departments", methods=["GET"])
@blp.response(200, DepartmentSchema(many=True))
def departments():
    """List the departments that implement items."""
    return services.list_departments(_session())


def _theme_view(theme, detail: bool) -> dict:
    view = {"id": theme.id, "name": theme.name, "name_en": theme.name_en or theme.name, "kind": theme.kind, "description": theme.description,
            "member_codes": [m.code for m in theme.members],
            "total_promised_days": services.theme_promised_days(theme)}
    if detail:
        view.update(stages=theme.stages,
                    members=[item_summary(m, m.department.name, m.department.name_en) for m in theme.members],
                    materials=services.merged_materials(theme), form_fields=services.merged_form(theme),
                    sum_promised_days=sum(m.promised_days for m in theme.members))
    return view


@blp.route("/themes", methods=["GET"])
@blp.response(200, ThemeSchema(many=True))
def themes():
    """List the themes (一件事)."""
    return [_theme_view(t, False) for t in services.list_themes(_session())]


@blp.route("/themes/<theme_id>", methods=["GET"])
@blp.response(200, ThemeDetailSchema)
@blp.alt_response(404, description="主题不存在")
def theme(theme_id):
    """A theme with its members, one merged material list and form, and its total time."""
    return _theme_view(services.require_theme(_session(), theme_id), True)


@blp.route("/life-events", methods=["GET"])
@blp.response(200, LifeEventSchema(many=True))
def life_events():
    """List the life events (personal) and business events, with their items, for the 一件事 entry page."""
    session = _session()
    index = holder().current(session)
    language = _language()
    out = []
    for event in services.list_life_events(session):
        mapped = [c for c in event.item_codes or [] if c in index.by_code]
        tagged = [index.docs[i].code for i in index.by_life_event.get(event.name, ())
                  if index.docs[i].code not in mapped]
        codes = mapped + tagged
        out.append({"code": event.code, "name": (event.name_en or event.name) if language == "en" else event.name,
                    "name_zh": event.name, "name_en": event.name_en or event.name, "kind": event.kind,
                    "description": (event.description_en or event.description) if language == "en"
                    else event.description,
                    "description_en": event.description_en or event.description, "item_count": len(codes),
                    "item_codes": codes,
                    "items": [localise_summary(index.docs[index.by_code[c]].summary, language) for c in mapped]})
    return out


@blp.route("/sync", methods=["GET"])
@blp.arguments(SyncArgsSchema, location="query")
@blp.response(200, SyncSchema)
def sync(args):
    """Items published and retired since a catalogue version, for offline copies."""
    changes = services.changes_since(_session(), args["since"])
    return {"version": changes.version, "items": changes.items, "retired": changes.retired}


# -- admins -------------------------------------------------------------------------

@blp.route("/admin/items", methods=["POST"])
@require_roles("admin")
@blp.arguments(ItemDraftSchema)
@blp.response(201, ItemVersionSchema)
@blp.alt_response(409, description="已有草稿或编码属于其他部门")
def create_draft(body):
    """Create a draft: a new item, or the next version of an existing one."""
    return services.create_draft(_session(), current_actor(), _clock(), body)


@blp.route("/admin/items/<code>/draft", methods=["POST"])
@require_roles("admin")
@blp.response(201, ItemVersionSchema)
@blp.alt_response(409, description="已有草稿")
def draft_from_published(code):
    """Start a draft of the next version from the published one."""
    return services.create_draft_from_published(_session(), current_actor(), _clock(), code)


@blp.route("/admin/items/<code>/draft", methods=["PUT"])
@require_roles("admin")
@blp.arguments(ItemDraftSchema)
@blp.response(200, ItemVersionSchema)
@blp.alt_response(409, description="没有草稿")
def update_draft(body, code):
    """Replace the content of an item's draft."""
    return services.update_draft(_session(), current_actor(), _clock(), code, body)


@blp.route("/admin/items/<code>/publish", methods=["POST"])
@require_roles("admin")
@blp.response(200, ItemVersionSchema)
@blp.alt_response(409, description="没有草稿")
@blp.alt_response(422, description="不符合数据质量规则，未发布")
def publish(code):
    """Validate and publish the item's draft as its current version."""
    item = services.publish(_session(), current_actor(), _clock(), code)
    _changed()
    return item


@blp.route("/admin/items/<code>/retire", methods=["POST"])
@require_roles("admin")
@blp.response(200, ItemVersionSchema)
@blp.alt_response(409, description="事项当前未发布")
def retire(code):
    """Take an item off the catalogue (its versions are kept)."""
    item = services.retire(_session(), current_actor(), _clock(), code)
    _changed()
    return item


@blp.route("/admin/items/<code>/versions", methods=["GET"])
@require_roles("admin")
@blp.response(200, ItemVersionSummarySchema(many=True))
def versions(code):
    """List every version of an item (drafts, published, superseded, retired)."""
    return services.admin_list_versions(_session(), current_actor(), code)


@blp.route("/admin/items/<code>/versions/<int:revision>", methods=["GET"])
@require_roles("admin")
@blp.response(200, ItemVersionSchema)
@blp.alt_response(404, description="版本不存在")
def version(code, revision):
    """Read one version of an item, old or draft."""
    return services.admin_get_version(_session(), current_actor(), code, revision)
