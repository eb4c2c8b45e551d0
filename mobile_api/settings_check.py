"""Check every setting at once, before anything starts.

A deploy with three missing variables should fail once, naming all three,
not three times in a row with a traceback each. `check_environment` collects
the problems of the base configuration and of every package's declared
settings without building the app (no engine, no Redis client);
`load_checked_config` is what `create_app()` uses when it reads the
environment itself, and `flask settings --check` prints the same report.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys

from config import BaseConfig, ConfigError, load_config

from .modules import present_packages

# Exit status of a start refused for its settings (gunicorn's "worker failed
# to boot", so the arbiter stops instead of respawning workers in a loop).
EXIT_BAD_SETTINGS = 3


def package_settings() -> list:
    """Every `Setting` the present packages declare (their `settings.SETTINGS`)."""
    found = []
    for name in present_packages():
        if importlib.util.find_spec(f"{name}.settings") is None:
            continue
        module = importlib.import_module(f"{name}.settings")
        found.extend(getattr(module, "SETTINGS", []))
    return found


def setting_problems(settings, env: dict, production: bool) -> list[str]:
    problems = []
    missing = []
    for setting in settings:
        raw = env.get(setting.name)
        if raw in (None, ""):
            if production and setting.production_required:
                missing.append(setting.name)
            continue
        try:
            setting.parse(raw)
        except (ValueError, TypeError) as exc:
            problems.append(f"{setting.name}: cannot use {raw!r} ({exc})")
    if missing:
        problems.insert(0, "missing: " + ", ".join(missing))
    return problems


def check_environment(env: dict | None = None) -> tuple[BaseConfig | None, list[str]]:
    """(the configuration, every problem found); the configuration is None
    when APP_ENV itself is wrong."""
    env = dict(os.environ if env is None else env)
    try:
        config = load_config(env=env, validate=False)
    except ConfigError as exc:
        return None, [str(exc)]
    problems = config.problems()
    package_problems = setting_problems(package_settings(), env, config.ENV_NAME == "production")
    # One "missing:" line for the base and the package settings together.
    missing = [p[len("missing: "):] for p in problems + package_problems if p.startswith("missing: ")]
    others = [p for p in problems + package_problems if not p.startswith("missing: ")]
    if missing:
        others.insert(0, "missing: " + ", ".join(missing))
    return config, others


def format_report(env_name: str, problems: list[str]) -> str:
    lines = [f"settings check failed for APP_ENV={env_name} ({len(problems)} problem"
             f"{'' if len(problems) == 1 else 's'}):"]
    lines += [f"  - {problem}" for problem in problems]
    lines.append("see README.md, \"Running in production\", and `flask settings` for every setting")
    return "\n".join(lines)


def load_checked_config(env: dict | None = None) -> BaseConfig:
    """The configuration, or exit with one message naming every problem (no traceback)."""
    source = os.environ if env is None else env
    config, problems = check_environment(env)
    if problems:
        print(format_report(source.get("APP_ENV", "development"), problems), file=sys.stderr, flush=True)
        raise SystemExit(EXIT_BAD_SETTINGS)
    return config
