"""Settings, read from the environment.

One class per environment. Development falls back to embedded defaults (a
real PostgreSQL and Redis started from pip wheels under instance/, see
mobile_api/embedded, and random secrets kept there); tests get their
servers from the suite (tests/conftest.py) and fresh random secrets;
production refuses to start without real ones, so that a missing variable is
a failed deploy rather than a silently insecure service.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_DIR", PROJECT_ROOT / "instance"))


class ConfigError(RuntimeError):
    """A setting is missing or wrong; the process must not start."""


def _int(env: dict, name: str, default: int, problems: list[str] | None = None) -> int:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError as exc:
        message = f"{name} must be an integer, got {raw!r}"
        if problems is None:
            raise ConfigError(message) from exc
        # Collected, so that one start-up names every bad setting at once.
        problems.append(message)
        return default


def _bool(env: dict, name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    return raw.strip().lower() in ("1", "true", "yes", "on")


def parse_signing_keys(raw: str) -> dict[str, str]:
    """`kid1:secret1,kid2:secret2` or a JSON object {kid: secret}."""
    raw = raw.strip()
    if not raw:
        return {}
    if raw.startswith("{"):
        keys = json.loads(raw)
    else:
        keys = {}
        for part in raw.split(","):
            kid, sep, secret = part.strip().partition(":")
            if not sep or not kid or not secret:
                raise ConfigError("JWT_SIGNING_KEYS entries must look like kid:secret")
            keys[kid] = secret
    for kid, secret in keys.items():
        if len(secret) < 32:
            raise ConfigError(f"JWT signing key {kid!r} is shorter than 32 characters")
    return keys


class BaseConfig:
    ENV_NAME = "base"
    TESTING = False
    DEBUG = False

    # flask-smorest / OpenAPI
    # ASCII: generators derive package names from the title (openapi-python-client
    # makes `fingertip-services-api-client` of it); the Chinese title is `info.x-title-zh`.
    API_TITLE = "Fingertip Services API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"
    OPENAPI_SWAGGER_UI_PATH = "docs"
    # Served by us from the swagger-ui-bundle package: no CDN at run time.
    OPENAPI_SWAGGER_UI_URL = "/api/v1/docs/assets/"
    JSON_AS_ASCII = False

    def __init__(self, env: dict | None = None):
        env = dict(os.environ if env is None else env)
        self.parse_problems: list[str] = []
        self.DATABASE_URL = env.get("DATABASE_URL") or ""
        self.REDIS_URL = env.get("REDIS_URL") or ""
        self.SECRET_KEY = env.get("SECRET_KEY") or ""
        try:
            self.JWT_SIGNING_KEYS = parse_signing_keys(env.get("JWT_SIGNING_KEYS", ""))
        except (ConfigError, ValueError) as exc:
            self.parse_problems.append(f"JWT_SIGNING_KEYS: {exc}")
            self.JWT_SIGNING_KEYS = {}
        self.JWT_ACTIVE_KID = env.get("JWT_ACTIVE_KID") or ""
        self.DATA_ENCRYPTION_KEY = env.get("DATA_ENCRYPTION_KEY") or ""
        self.ACCESS_TOKEN_TTL_SECONDS = _int(env, "ACCESS_TOKEN_TTL_SECONDS", 15 * 60, self.parse_problems)
        self.REFRESH_TOKEN_TTL_SECONDS = _int(env, "REFRESH_TOKEN_TTL_SECONDS", 30 * 24 * 3600, self.parse_problems)
        self.STAFF_MAX_FAILED_LOGINS = _int(env, "STAFF_MAX_FAILED_LOGINS", 5, self.parse_problems)
        self.STAFF_LOCKOUT_SECONDS = _int(env, "STAFF_LOCKOUT_SECONDS", 15 * 60, self.parse_problems)
        self.PASSWORD_SCRYPT_N = _int(env, "PASSWORD_SCRYPT_N", 2**14, self.parse_problems)
        self.MAX_UPLOAD_BYTES = _int(env, "MAX_UPLOAD_BYTES", 10 * 1024 * 1024, self.parse_problems)
        self.MAX_JSON_BYTES = _int(env, "MAX_JSON_BYTES", 64 * 1024, self.parse_problems)
        self.MAX_CONTENT_LENGTH = self.MAX_UPLOAD_BYTES
        self.RATELIMIT_DEFAULT = env.get("RATELIMIT_DEFAULT", "600 per minute")
        self.RATELIMIT_LOGIN = env.get("RATELIMIT_LOGIN", "10 per minute")
        self.RATELIMIT_ENABLED = _bool(env, "RATELIMIT_ENABLED", True)
        self.IDEMPOTENCY_TTL_SECONDS = _int(env, "IDEMPOTENCY_TTL_SECONDS", 24 * 3600, self.parse_problems)
        self.LOG_LEVEL = env.get("LOG_LEVEL", "INFO")
        self.LOG_JSON = _bool(env, "LOG_JSON", True)
        self.DB_POOL_SIZE = _int(env, "DB_POOL_SIZE", 5, self.parse_problems)
        self.DEV_SEED_DEMO_ACCOUNTS = _bool(env, "DEV_SEED_DEMO_ACCOUNTS", False)
        self.TRUSTED_PROXIES = _int(env, "TRUSTED_PROXIES", 0, self.parse_problems)
        self.METRICS_TOKEN = env.get("METRICS_TOKEN") or ""
        self.env = env

    def problems(self) -> list[str]:
        """Every reason this configuration must not run (empty if none)."""
        found = list(self.parse_problems)
        if self.JWT_ACTIVE_KID and self.JWT_SIGNING_KEYS and self.JWT_ACTIVE_KID not in self.JWT_SIGNING_KEYS:
            found.append("JWT_ACTIVE_KID names a key that JWT_SIGNING_KEYS does not hold")
        return found

    def validate(self) -> None:
        """Raise ConfigError naming every problem at once if this configuration must not run."""
        found = self.problems()
        if found:
            raise ConfigError("; ".join(found))


class DevelopmentConfig(BaseConfig):
    """Embedded defaults: nothing to install but the requirements."""

    ENV_NAME = "development"
    DEBUG = False  # the reloader would run the app twice

    def __init__(self, env: dict | None = None):
        super().__init__(env)
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
        if not self.DATABASE_URL or not self.REDIS_URL:
            self._use_embedded_servers()
        _fill_dev_secrets(self, persistent=True)
        self.DEV_SEED_DEMO_ACCOUNTS = _bool(self.env, "DEV_SEED_DEMO_ACCOUNTS", True)

    def _use_embedded_servers(self) -> None:
        # Imported here: mobile_api imports this module.
        from mobile_api.embedded import EmbeddedServerError, start

        try:
            services = start(INSTANCE_DIR, need_database=not self.DATABASE_URL, need_redis=not self.REDIS_URL)
        except EmbeddedServerError as exc:
            self.parse_problems.append(str(exc))
            return
        self.DATABASE_URL = self.DATABASE_URL or services.database_url
        self.REDIS_URL = self.REDIS_URL or services.redis_url


class TestingConfig(BaseConfig):
    ENV_NAME = "testing"
    TESTING = True

    def __init__(self, env: dict | None = None):
        super().__init__(env)
        _fill_dev_secrets(self, persistent=False)
        self.LOG_JSON = _bool(self.env, "LOG_JSON", True)
        self.PASSWORD_SCRYPT_N = 2**10  # tests log in hundreds of times

    def problems(self) -> list[str]:
        found = super().problems()
        missing = [name for name in ("DATABASE_URL", "REDIS_URL") if not getattr(self, name)]
        if missing:
            # The suite (tests/conftest.py) starts embedded servers and sets both.
            found.insert(0, "missing: " + ", ".join(missing))
        return found


class ProductionConfig(BaseConfig):
    ENV_NAME = "production"

    REQUIRED = ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DATA_ENCRYPTION_KEY", "JWT_SIGNING_KEYS",
                "JWT_ACTIVE_KID")

    def problems(self) -> list[str]:
        found = super().problems()
        bad_keys = any(p.startswith("JWT_SIGNING_KEYS") for p in found)
        missing = [name for name in self.REQUIRED
                   if not getattr(self, name) and not (name == "JWT_SIGNING_KEYS" and bad_keys)]
        if missing:
            found.insert(0, "missing: " + ", ".join(missing))
        if self.DATABASE_URL and not self.DATABASE_URL.startswith("postgresql"):
            found.append("DATABASE_URL must be a PostgreSQL URL (postgresql+psycopg://…), not "
                         + self.DATABASE_URL.split(":", 1)[0])
        if self.REDIS_URL and not self.REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
            found.append("REDIS_URL must start with redis://, rediss:// or unix://")
        if self.SECRET_KEY and len(self.SECRET_KEY) < 32:
            found.append("SECRET_KEY must be at least 32 characters")
        if self.DATA_ENCRYPTION_KEY and len(self.DATA_ENCRYPTION_KEY) < 32:
            found.append("DATA_ENCRYPTION_KEY must be at least 32 characters")
        if self.METRICS_TOKEN and len(self.METRICS_TOKEN) < 24:
            found.append("METRICS_TOKEN, when set, must be at least 24 characters")
        return found


def _fill_dev_secrets(cfg: BaseConfig, persistent: bool) -> None:
    """Random secrets, never written in the source. Development keeps them under
    instance/ so that encrypted data and tokens survive a restart of `make run`;
    tests get fresh ones every run."""

    def secret(name: str) -> str:
        return _dev_file_secret(name) if persistent else secrets.token_urlsafe(32)

    cfg.SECRET_KEY = cfg.SECRET_KEY or secret("secret-key")
    cfg.DATA_ENCRYPTION_KEY = cfg.DATA_ENCRYPTION_KEY or secret("data-encryption-key")
    if not cfg.JWT_SIGNING_KEYS:
        cfg.JWT_SIGNING_KEYS = {"dev": secret("jwt-signing-key")}
        cfg.JWT_ACTIVE_KID = "dev"
    cfg.JWT_ACTIVE_KID = cfg.JWT_ACTIVE_KID or next(iter(cfg.JWT_SIGNING_KEYS))


def _dev_file_secret(name: str) -> str:
    path = INSTANCE_DIR / f".{name}"
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_text(secrets.token_urlsafe(32))
        path.chmod(0o600)
    return path.read_text().strip()


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def load_config(env_name: str | None = None, env: dict | None = None, validate: bool = True) -> BaseConfig:
    """The settings of `APP_ENV` (or `env_name`). With `validate=False` the
    caller gets the object and asks `problems()` itself (the settings check,
    which adds the packages' settings before reporting)."""
    source = os.environ if env is None else env
    name = env_name or source.get("APP_ENV", "development")
    if name not in CONFIGS:
        raise ConfigError(f"APP_ENV must be one of {sorted(CONFIGS)}, got {name!r}")
    cfg = CONFIGS[name](env)
    if validate:
        cfg.validate()
    return cfg
