"""Rate limits with flask-limiter, stored in Redis (memory with the stand-in).

Views are marked with `@rate_limit("SETTING_NAME")`; `init_app` applies the
limit named by that setting after the blueprints are registered, so limits are
configuration, and no limiter exists before `create_app`.
"""

from __future__ import annotations

from flask import Flask, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address


_MARK = "_rate_limit_setting"
_EXEMPT = "_rate_limit_exempt"
# Probes from load balancers, the metrics scrape and the API description are never limited.
EXEMPT_ENDPOINTS = ("health.health", "health.ready", "api-docs.openapi_json", "api-docs.openapi_swagger_ui",
                    "docs_assets", "static", "metrics")


def rate_limit(setting: str, key_func=None):
    def mark(view):
        marks = list(getattr(view, _MARK, []))
        marks.append((setting, key_func))
        setattr(view, _MARK, marks)
        return view

    return mark


def exempt(view):
    setattr(view, _EXEMPT, True)
    return view


def client_ip() -> str:
    return get_remote_address() or "unknown"


def init_app(app: Flask) -> Limiter:
    storage = app.config["REDIS_URL"]
    limiter = Limiter(
        key_func=client_ip,
        app=app,
        storage_uri=storage,
        default_limits=[lambda: current_app.config["RATELIMIT_DEFAULT"]],
        headers_enabled=True,
        swallow_errors=True,  # Redis down: serve without limits rather than fail every request
        enabled=app.config["RATELIMIT_ENABLED"],
        strategy="fixed-window",
    )
    exempt_endpoints = set(EXEMPT_ENDPOINTS)
    _skip_exempt_endpoints(app, limiter, exempt_endpoints)
    for endpoint, view in list(app.view_functions.items()):
        if endpoint in EXEMPT_ENDPOINTS or getattr(view, _EXEMPT, False):
            exempt_endpoints.add(endpoint)
            continue
        for setting, key_func in getattr(view, _MARK, []):
            limited = limiter.limit(lambda s=setting: current_app.config[s], key_func=key_func or client_ip,
                                    scope=f"{endpoint}:{setting}")(view)
            app.view_functions[endpoint] = limited
            view = limited
    app.extensions["rate_limiter"] = limiter
    return limiter


def _skip_exempt_endpoints(app: Flask, limiter: Limiter, exempt_endpoints: set[str]) -> None:
    """flask-limiter evaluates its (empty) limits even for exempt endpoints;
    wrap its before_request hook so probes skip it entirely (flask-limiter is
    pinned; a test covers that health is never limited)."""
    hooks = app.before_request_funcs.setdefault(None, [])
    for index, hook in enumerate(hooks):
        if getattr(hook, "__func__", None) is Limiter._check_request_limit:
            original = hook

            def check_unless_exempt(original=original):
                if request.endpoint in exempt_endpoints:
                    return None
                return original()

            hooks[index] = check_unless_exempt
            return
