"""The application shell: `create_app()` wires configuration, extensions,
error handling, auth and the domain packages that are present."""

from __future__ import annotations

import logging

from flask import Flask, send_from_directory
from flask.sessions import SessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix
from flask_smorest import Api, Blueprint

from config import BaseConfig

from . import contract, errors, jobs, metrics, observability, ratelimit, request_guards, uow
from .crypto import PersonalDataCipher
from .db import Database
from .health import blp as health_blp
from .modules import init_domain_packages
from .redis_client import build_redis

log = logging.getLogger("mobile_api")

BEARER_AUTH = {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}


def create_app(config: BaseConfig | None = None, *, clock=None, redis_client=None, database: Database | None = None) -> Flask:
    if config is None:
        from .settings_check import load_checked_config

        config = load_checked_config()  # every bad setting named at once, or exit 3
    observability.configure_logging(config.LOG_LEVEL, config.LOG_JSON)
    logging.getLogger("alembic").setLevel(logging.WARNING)

    app = _ServiceApp(__name__, instance_relative_config=False)
    app.config.from_object(config)
    app.config["APP_CONFIG"] = config
    app.json.ensure_ascii = False
    # A bearer-token API: no cookie sessions, so no CSRF surface and no cookie work per request.
    app.session_interface = _NoCookieSessions()

    app.extensions["clock"] = clock or jobs.process_clock(app)
    app.extensions["cipher"] = PersonalDataCipher(config.DATA_ENCRYPTION_KEY)
    app.extensions["redis"] = redis_client if redis_client is not None else build_redis(config.REDIS_URL)
    (database or Database(config.DATABASE_URL, config.DB_POOL_SIZE)).init_app(app)
    app.teardown_request(uow.close_request)

    if config.TRUSTED_PROXIES:
        # Behind nginx or a load balancer: trust exactly that many proxy hops
        # for the client address (rate limits, audit) and the scheme.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=config.TRUSTED_PROXIES, x_proto=config.TRUSTED_PROXIES,
                                x_host=config.TRUSTED_PROXIES)
    observability.init_app(app)
    metrics.init_app(app)
    request_guards.init_app(app)

    # Every request schema decides for itself (marshmallow's default: RAISE),
    # so an unknown filter in a query string is a 422 like an unknown JSON field.
    Blueprint.ARGUMENTS_PARSER.unknown = None
    api = _Api(app, spec_kwargs={"info": {"description": "城市“指尖办事”平台后端 REST API",
                                                 "x-title-zh": "指尖办事 API"}})
    api.spec.components.security_scheme("bearerAuth", BEARER_AUTH)
    errors.init_app(app)  # after Api: our problem+json handlers replace flask-smorest's
    app.extensions["api"] = api

    api.register_blueprint(health_blp)
    jobs.init_app(app)  # before the packages: they register their periodic rules
    loaded = init_domain_packages(app, api)
    from .audit_routes import blp as audit_blp

    api.register_blueprint(audit_blp)
    contract.complete_spec(app, api)
    contract.init_app(app)  # before the limiter, so its after-request hook runs after the limiter's
    ratelimit.init_app(app)
    _serve_docs_assets(app)

    from .cli import register_cli

    register_cli(app)
    if config.ENV_NAME == "development":
        from identity.demo import credentials_file

        credentials = credentials_file(config.DATABASE_URL)
        if credentials.exists():
            log.warning("development run: demo staff and kiosk credentials are in %s", credentials)
    log.info("app created", extra={"env": config.ENV_NAME, "packages": loaded})
    return app


class _ServiceApp(Flask):
    """Every view runs inside the request's unit of work, which commits once
    when the view has answered successfully and rolls back otherwise.

    A deadlock or serialization failure means PostgreSQL rolled the whole
    transaction back, so nothing of the attempt stands: the view runs once
    more in a fresh unit of work. A second failure answers 409
    `platform.concurrent_update` (mobile_api.errors), never 500. An attempt
    that passed a named commit point is not repeated: part of it stands."""

    def dispatch_request(self):
        for attempt in range(1 + uow.CONCURRENCY_RETRIES):
            try:
                try:
                    response = self.make_response(super().dispatch_request())
                except BaseException as exc:
                    uow.finish_request(None, exc)
                    raise
                return uow.finish_request(response)
            except Exception as exc:
                if attempt == uow.CONCURRENCY_RETRIES or not uow.retry_after_concurrency_failure(exc):
                    raise
        raise AssertionError("unreachable")


class _Api(Api):
    # Error responses are documented as the problem+json shape we really send.
    ERROR_SCHEMA = errors.ProblemSchema


class _NoCookieSessions(SessionInterface):
    def open_session(self, app, request):
        return None  # Flask then uses a null session

    def save_session(self, app, session, response):
        return None


def _serve_docs_assets(app: Flask) -> None:
    """Swagger UI's files from the swagger-ui-bundle package, so /api/v1/docs
    needs no CDN."""
    from swagger_ui_bundle import swagger_ui_path

    @app.route("/api/v1/docs/assets/<path:filename>")
    def docs_assets(filename):
        return send_from_directory(swagger_ui_path, filename)
