"""Redis: shared, fast and disposable. Always a real server (REDIS_URL);
development and the test suite start an embedded one (mobile_api/embedded)."""

from __future__ import annotations

import redis


def build_redis(url: str) -> redis.Redis:
    if not url:
        raise ValueError("REDIS_URL is not set")
    return redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2,
                                health_check_interval=30, decode_responses=True)
