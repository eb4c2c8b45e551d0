"""The settings a service needs, read once from the app config and passed in,
so services stay plain functions that a CLI, a job or a unit test can call."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from .settings import REPLY_DAY_SETTING, SETTINGS


@dataclass(frozen=True)
class Rules:
    reply_days: dict[str, int] = field(default_factory=lambda: {"consultation": 1, "help": 1, "complaint": 5,
                                                                "suggestion": 5, "report": 5})
    max_extension_days: int = 10
    max_extensions: int = 1
    satisfaction_days: int = 7
    duplicate_window_hours: int = 24
    upload_max_bytes: int = 5 * 1024 * 1024
    rating_period_days: int = 7
    default_rating_enabled: bool = False
    kiosk_rating_window_minutes: int = 10
    callback_days: int = 1
    rectification_days: int = 5
    public_staff_names: bool = False

    @classmethod
    def from_config(cls, config: Mapping) -> "Rules":
        defaults = {s.name: s.default for s in SETTINGS}

        def get(name):
            return config.get(name, defaults[name])

        return cls(
            reply_days={kind: int(get(name)) for kind, name in REPLY_DAY_SETTING.items()},
            max_extension_days=int(get("FEEDBACK_MAX_EXTENSION_DAYS")),
            max_extensions=int(get("FEEDBACK_MAX_EXTENSIONS")),
            satisfaction_days=int(get("FEEDBACK_SATISFACTION_DAYS")),
            duplicate_window_hours=int(get("FEEDBACK_DUPLICATE_WINDOW_HOURS")),
            upload_max_bytes=int(get("FEEDBACK_UPLOAD_MAX_BYTES")),
            rating_period_days=int(get("FEEDBACK_RATING_PERIOD_DAYS")),
            default_rating_enabled=bool(get("FEEDBACK_DEFAULT_RATING_ENABLED")),
            kiosk_rating_window_minutes=int(get("FEEDBACK_KIOSK_RATING_WINDOW_MINUTES")),
            callback_days=int(get("FEEDBACK_CALLBACK_DAYS")),
            rectification_days=int(get("FEEDBACK_RECTIFICATION_DAYS")),
            public_staff_names=bool(get("FEEDBACK_PUBLIC_STAFF_NAMES")),
        )
