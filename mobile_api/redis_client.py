"""Redis: shared, fast and disposable. A real server when REDIS_URL is set,
otherwise fakeredis in this process (development and the embedded test run)."""

from __future__ import annotations

import logging

import redis

log = logging.getLogger("mobile_api.redis")


def build_redis(url: str):
    if url:
        return redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2,
                                    health_check_interval=30, decode_responses=True)
    import fakeredis

    log.warning("REDIS_URL is not set: using an in-process Redis stand-in; "
                "this is only for a single development process")
    return fakeredis.FakeRedis(decode_responses=True)


def is_fake(client) -> bool:
    return type(client).__module__.startswith("fakeredis")
