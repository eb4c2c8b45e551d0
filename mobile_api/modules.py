"""The domain packages the shell plugs in, if they are present.

Each package exposes `init_app(app, api)` in its `__init__`: it registers its
blueprints, CLI commands and outbox handlers. A package that is absent is
skipped, so the shell never needs one.
"""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path

DOMAIN_PACKAGES = ("identity", "wechat", "guides", "booking", "submissions", "feedback", "screens")
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def present_packages() -> list[str]:
    return [name for name in DOMAIN_PACKAGES if importlib.util.find_spec(name) is not None]


def init_domain_packages(app, api) -> list[str]:
    loaded = []
    for name in present_packages():
        module = importlib.import_module(name)
        init = getattr(module, "init_app", None)
        if init is not None:
            init(app, api)
            loaded.append(name)
    return loaded


def import_all_models() -> None:
    """Import every package's models so that their tables are in Base.metadata."""
    for name in present_packages():
        if importlib.util.find_spec(f"{name}.models") is not None:
            importlib.import_module(f"{name}.models")


def migration_locations() -> list[str]:
    """Alembic version directories: the platform's, then one per package."""
    locations = [str(PROJECT_ROOT / "migrations" / "versions")]
    for name in present_packages():
        directory = PROJECT_ROOT / name / "migrations"
        if directory.is_dir():
            locations.append(str(directory))
    return locations
