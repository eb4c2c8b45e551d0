"""The configurable rules, read once from the app's settings and passed to services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from .qr import derive_key


@dataclass(frozen=True)
class Policy:
    slot_minutes: int = 30
    places_per_window: int = 2
    horizon_working_days: int = 7
    min_notice: timedelta = timedelta(hours=2)
    cancel_cutoff: timedelta = timedelta(hours=1)
    max_active_per_citizen: int = 3
    no_show_limit: int = 3
    no_show_window: timedelta = timedelta(days=90)
    no_show_block: timedelta = timedelta(days=30)
    check_in_early: timedelta = timedelta(minutes=30)
    check_in_late: timedelta = timedelta(minutes=15)
    check_in_radius_m: int = 500
    elderly_age: int = 60
    priority_streak: int = 3
    skip_after_calls: int = 3
    default_service: timedelta = timedelta(minutes=10)
    service_min_samples: int = 5
    waiting_warning: timedelta = timedelta(minutes=60)
    qr_key: bytes = b"test-only-qr-key"


def policy_from_config(config) -> Policy:
    return Policy(
        slot_minutes=config["BOOKING_SLOT_MINUTES"],
        places_per_window=config["BOOKING_PLACES_PER_WINDOW"],
        horizon_working_days=config["BOOKING_HORIZON_WORKING_DAYS"],
        min_notice=timedelta(minutes=config["BOOKING_MIN_NOTICE_MINUTES"]),
        cancel_cutoff=timedelta(minutes=config["BOOKING_CANCEL_CUTOFF_MINUTES"]),
        max_active_per_citizen=config["BOOKING_MAX_ACTIVE_PER_CITIZEN"],
        no_show_limit=config["BOOKING_NO_SHOW_LIMIT"],
        no_show_window=timedelta(days=config["BOOKING_NO_SHOW_WINDOW_DAYS"]),
        no_show_block=timedelta(days=config["BOOKING_NO_SHOW_BLOCK_DAYS"]),
        check_in_early=timedelta(minutes=config["BOOKING_CHECKIN_EARLY_MINUTES"]),
        check_in_late=timedelta(minutes=config["BOOKING_CHECKIN_LATE_MINUTES"]),
        check_in_radius_m=config["BOOKING_CHECKIN_RADIUS_METERS"],
        elderly_age=config["BOOKING_ELDERLY_AGE"],
        priority_streak=config["BOOKING_PRIORITY_STREAK"],
        skip_after_calls=config["BOOKING_SKIP_AFTER_CALLS"],
        default_service=timedelta(minutes=config["BOOKING_DEFAULT_SERVICE_MINUTES"]),
        service_min_samples=config["BOOKING_SERVICE_MIN_SAMPLES"],
        waiting_warning=timedelta(minutes=config["BOOKING_WAITING_WARNING_MINUTES"]),
        qr_key=derive_key(config["BOOKING_QR_KEY"], config["SECRET_KEY"]),
    )
