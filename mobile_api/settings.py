"""Package settings: each package declares its own, with defaults, and reads
them from `current_app.config`. Values come from the environment the app was
configured with; tests override them with the `config_overrides` fixture."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    parse: Callable[[str], Any] = str
    doc: str = ""
    production_required: bool = False


def parse_bool(raw: str) -> bool:
    return raw.strip().lower() in ("1", "true", "yes", "on")


_REGISTRY: dict[str, Setting] = {}


def register_settings(app, settings: list[Setting]) -> None:
    config = app.config["APP_CONFIG"]
    env = getattr(config, "env", {})
    for setting in settings:
        _REGISTRY[setting.name] = setting
        if hasattr(config, setting.name):  # set explicitly (tests, or BaseConfig)
            app.config[setting.name] = getattr(config, setting.name)
            continue
        raw = env.get(setting.name)
        if raw in (None, ""):
            if setting.production_required and config.ENV_NAME == "production":
                raise RuntimeError(f"production needs the setting {setting.name}")
            app.config[setting.name] = setting.default
        else:
            try:
                app.config[setting.name] = setting.parse(raw)
            except ValueError as exc:
                raise RuntimeError(f"{setting.name}: cannot parse {raw!r}") from exc


def documented_settings() -> list[Setting]:
    return sorted(_REGISTRY.values(), key=lambda s: s.name)
