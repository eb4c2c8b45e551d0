"""The embedded default: a real PostgreSQL and Redis from the wheels, started
once, reused by later processes, stopped by whoever started them."""

import pytest
import psycopg
import redis

from mobile_api import embedded

pytestmark = [pytest.mark.slow]


@pytest.fixture
def instance_dir():
    """Outside pytest's own temporary root: pytest makes that 0700 again at
    every session start, which would lock out the server's user."""
    import shutil
    import tempfile
    from pathlib import Path

    path = Path(tempfile.mkdtemp(prefix="fingertip-embedded-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_servers_start_once_are_reused_and_stop(instance_dir):
    first = embedded.start(instance_dir, database="fingertip", register_exit=False)
    try:
        assert first.database_url.startswith("postgresql+psycopg://postgres@127.0.0.1:")
        assert len(first.stop_on_exit) == 2  # this call started both
        with psycopg.connect(first.database_url.replace("+psycopg", "")) as connection:
            assert connection.execute("SHOW server_version_num").fetchone()[0] >= "180000"
        assert redis.Redis.from_url(first.redis_url).ping()

        again = embedded.start(instance_dir, database="fingertip", register_exit=False)
        assert (again.database_url, again.redis_url) == (first.database_url, first.redis_url)
        assert again.stop_on_exit == []  # found running: not this caller's to stop
    finally:
        first.stop()
    assert embedded.EmbeddedPostgres(instance_dir / "postgres").running_port() is None
    assert embedded.EmbeddedRedis(instance_dir / "redis").running_port() is None


def test_a_server_that_cannot_start_says_why_in_one_line(instance_dir):
    blocked = instance_dir / "not-a-directory"
    blocked.write_text("a file where the instance directory should be")
    with pytest.raises(embedded.EmbeddedServerError) as failure:
        embedded.start(blocked, register_exit=False)
    message = str(failure.value)
    assert "\n" not in message
    assert "could not start" in message and "DATABASE_URL=" in message
