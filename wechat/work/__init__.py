"""企业微信 (WeCom) for staff: `staff.notify` outbox messages become in-app
inbox notices and WeCom application messages. See docs/hall.md, "Staff notices"."""

from __future__ import annotations

import logging

from . import models as _models  # noqa: F401  (tables in Base.metadata)

log = logging.getLogger("wechat.work")


def _transport(app):
    """(client or None, agent id, stand-in or None) from the settings."""
    from ..transport import WSGIAdapter
    from .client import WeComClient
    from .settings import REAL_BASE_URL, STANDIN_AGENT_ID, STANDIN_BASE_URL, STANDIN_CORP_ID, STANDIN_SECRET
    from .standin import create_wecom_standin

    cfg = app.config
    standin = bool(cfg["WECHAT_STANDIN_ENABLED"])  # resolved by wechat.resolve_transport; never in production
    corp_id, secret, agent_id = cfg["WECOM_CORP_ID"], cfg["WECOM_AGENT_SECRET"], int(cfg["WECOM_AGENT_ID"])
    if not corp_id:
        if not standin:
            log.warning("WECOM_CORP_ID is not set: staff notices go to the in-app inbox only")
            return None, 0
        corp_id, secret, agent_id = STANDIN_CORP_ID, STANDIN_SECRET, agent_id or STANDIN_AGENT_ID
    base_url = cfg["WECOM_API_BASE_URL"] or (STANDIN_BASE_URL if standin else REAL_BASE_URL)
    if not base_url.endswith("/"):
        base_url += "/"
    transport = None
    if standin:
        wsgi = create_wecom_standin(app.extensions["redis"], corp_id, secret, agent_id)
        app.extensions["wecom_standin"] = wsgi
        from werkzeug.middleware.dispatcher import DispatcherMiddleware

        # Also at /_standin/wecom/ (WECOM_API_BASE_URL=http://127.0.0.1:5000/_standin/wecom/).
        app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {"/_standin/wecom": wsgi.wsgi_app})
        if base_url == STANDIN_BASE_URL:
            transport = WSGIAdapter(wsgi.wsgi_app, base_url)
    client = WeComClient(corp_id, secret, base_url, app.extensions["redis"],
                         float(cfg["WECHAT_TIMEOUT_SECONDS"]), transport)
    return client, agent_id


def _undelivered(app):
    from .inbox import undelivered_counts

    with app.extensions["db"].new_session() as session:
        counts = undelivered_counts(session)
    return [((state,), value) for state, value in sorted(counts.items())]


def _status_lines(session) -> list[str]:
    from .inbox import undelivered_counts

    counts = undelivered_counts(session)
    return [f"staff notices undelivered: {counts['outbox_pending']} waiting in the outbox, "
            f"{counts['outbox_failed']} dead-lettered, {counts['inbox_unseen']} unread and not sent to WeCom"]


def init_work(app, api) -> None:
    from functools import partial

    from mobile_api import outbox
    from mobile_api.jobs import register_status_source
    from mobile_api.metrics import register_gauge_source
    from mobile_api.settings import register_settings

    from .delivery import STAFF_NOTIFY, NoticeConfig, deliver_staff_notice
    from .routes import blp
    from .settings import SETTINGS

    register_settings(app, SETTINGS)
    client, agent_id = _transport(app)
    app.extensions["wecom"] = client
    config = NoticeConfig(client, agent_id, app.config["WECOM_NOTICE_LINK"] or None)
    outbox.register_handler(STAFF_NOTIFY, partial(deliver_staff_notice, config=config))
    register_gauge_source(app, "fingertip_staff_notices_undelivered",
                          "尚无人看到的工作通知 (outbox_pending / outbox_failed / inbox_unseen)", ["state"],
                          _undelivered)
    register_status_source(app, _status_lines)
    api.register_blueprint(blp)
