"""微信: mini-program and app login, phone binding, unionid merging, subscribe
messages, WeChat's 人脸核身, the WeChat API client and its dev stand-in.
See docs/wechat.md."""

from __future__ import annotations

from . import models as _models  # noqa: F401  (tables in Base.metadata)
from .work import models as _work_models  # noqa: F401


def resolve_transport(app):
    """(base URL, transport adapter or None) from the settings. The stand-in
    is refused in production."""
    from .settings import REAL_BASE_URL, STANDIN_BASE_URL
    from .standin import create_standin_app
    from .transport import WSGIAdapter

    cfg = app.config
    env = cfg["APP_CONFIG"].ENV_NAME
    enabled = cfg["WECHAT_STANDIN_ENABLED"]
    if enabled is None:
        enabled = env in ("development", "testing")
    if enabled and env == "production":
        raise RuntimeError("WECHAT_STANDIN_ENABLED: the WeChat stand-in must never run in production")
    base_url = cfg["WECHAT_API_BASE_URL"] or (STANDIN_BASE_URL if enabled else REAL_BASE_URL)
    if not base_url.endswith("/"):
        base_url += "/"
    cfg["WECHAT_STANDIN_ENABLED"] = enabled
    if not enabled:
        return base_url, None
    standin = create_standin_app(app.extensions["redis"], {
        cfg["WECHAT_MINIPROGRAM_APPID"]: cfg["WECHAT_MINIPROGRAM_SECRET"],
        cfg["WECHAT_APP_APPID"]: cfg["WECHAT_APP_SECRET"]})
    app.extensions["wechat_standin"] = standin
    # Also reachable over HTTP at /_standin/wechat/ (e.g. WECHAT_API_BASE_URL=
    # http://127.0.0.1:5000/_standin/wechat/ to exercise a real socket).
    from werkzeug.middleware.dispatcher import DispatcherMiddleware

    app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {"/_standin/wechat": standin.wsgi_app})
    return base_url, (WSGIAdapter(standin.wsgi_app, base_url) if base_url == STANDIN_BASE_URL else None)


def init_app(app, api):
    from functools import partial

    from identity.face.verifier import register_face_verifier
    from mobile_api import hooks, outbox
    from mobile_api.settings import register_settings

    from .face_routes import blp as face_blp
    from .face_verify import WeChatFaceVerifier
    from .gateway import WeChatGateway
    from .routes import auth_blp, me_blp, subscriptions_blp
    from .services.delivery import DeliveryConfig, deliver_citizen_notification
    from .services.lifecycle import erase_wechat_rows, merge_wechat_rows
    from .settings import SETTINGS, templates_by_event

    register_settings(app, SETTINGS)
    cfg = app.config
    base_url, transport = resolve_transport(app)
    gateway = WeChatGateway(base_url=base_url,
                            miniprogram=(cfg["WECHAT_MINIPROGRAM_APPID"], cfg["WECHAT_MINIPROGRAM_SECRET"]),
                            app=(cfg["WECHAT_APP_APPID"], cfg["WECHAT_APP_SECRET"]),
                            redis=app.extensions["redis"], timeout=float(cfg["WECHAT_TIMEOUT_SECONDS"]),
                            transport=transport)
    app.extensions["wechat"] = gateway

    delivery = DeliveryConfig(gateway, templates_by_event(cfg), cfg["WECHAT_SUBSCRIBE_PAGE"],
                              cfg["WECHAT_SUBSCRIBE_STATE"], float(cfg["WECHAT_TIMEOUT_SECONDS"]))
    outbox.register_handler(outbox.CITIZEN_NOTIFY, partial(deliver_citizen_notification, config=delivery))
    inline = cfg["WECHAT_DELIVER_AFTER_COMMIT"]
    if inline or (inline is None and cfg["APP_CONFIG"].ENV_NAME == "development"):
        from . import inline_delivery

        inline_delivery.install(app)
    from .metrics import register as register_metrics

    register_metrics(app)
    hooks.register_citizen_merge_hook("wechat", merge_wechat_rows)
    hooks.register_citizen_erasure_hook("wechat", erase_wechat_rows)
    register_face_verifier("wechat", WeChatFaceVerifier.from_app)

    for blueprint in (auth_blp, me_blp, subscriptions_blp, face_blp):
        api.register_blueprint(blueprint)

    from .work import init_work

    init_work(app, api)
