"""Shared benchmark tools: run an app under gunicorn on loopback, drive it with
a fixed load from this process, and report requests/s and latency.

Every benchmark measures its baseline in the same run, with the same server
settings and the same load, and prints the ratio; absolute numbers on a shared
2-core machine mean little on their own.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def gunicorn(app_spec: str, env: dict | None = None, workers: int = 2, threads: int = 1, port: int | None = None,
             worker_class: str = "sync", cwd: Path | None = None):
    """Start `gunicorn app_spec` on 127.0.0.1 and wait until it answers
    (from `cwd`, by default this tree: another checkout serves its own code)."""
    port = port or free_port()
    full_env = dict(os.environ)
    full_env.update(env or {})
    full_env.setdefault("LOG_LEVEL", "WARNING")
    cmd = [PYTHON, "-m", "gunicorn", app_spec, "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
           "--threads", str(threads), "--worker-class", worker_class, "--log-level", "warning",
           "--keep-alive", "30"]
    proc = subprocess.Popen(cmd, cwd=cwd or ROOT, env=full_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {proc.stderr.read().decode()[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError("gunicorn did not start in 60 s")
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@dataclass
class LoadResult:
    requests: int
    seconds: float
    latencies_ms: list[float] = field(repr=False)
    statuses: dict[int, int]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies_ms:
            return 0.0
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]

    def summary(self) -> dict:
        return {"requests": self.requests, "rps": round(self.rps, 1), "p50_ms": round(self.percentile(50), 2),
                "p99_ms": round(self.percentile(99), 2), "statuses": self.statuses}


def drive(port: int, request_fn, concurrency: int = 8, total: int | None = None, duration: float | None = None,
          warmup: int = 50) -> LoadResult:
    """`request_fn(i) -> (method, path, body_bytes_or_None, headers)`. Runs
    `total` requests (or for `duration` seconds) over `concurrency` keep-alive
    connections."""
    for i in range(warmup):
        _one(_connect(port), request_fn(-1 - i))
    lock = threading.Lock()
    counter = iter(range(10**9))
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    stop_at = time.perf_counter() + duration if duration else None

    def worker():
        conn = _connect(port)
        while True:
            with lock:
                i = next(counter)
            if total is not None and i >= total:
                return
            if stop_at is not None and time.perf_counter() >= stop_at:
                return
            started = time.perf_counter()
            try:
                status = _one(conn, request_fn(i))
            except (http.client.HTTPException, OSError):
                conn.close()
                conn = _connect(port)
                status = 599
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                statuses[status] = statuses.get(status, 0) + 1

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    return LoadResult(len(latencies), seconds, latencies, statuses)


def _connect(port: int) -> http.client.HTTPConnection:
    return http.client.HTTPConnection("127.0.0.1", port, timeout=30)


def _one(conn: http.client.HTTPConnection, spec) -> int:
    method, path, body, headers = spec
    conn.request(method, path, body=body, headers=headers or {})
    response = conn.getresponse()
    response.read()
    return response.status


def get(path: str, headers: dict | None = None):
    return lambda i: ("GET", path, None, headers or {})


def post_json(path: str, body_fn, headers_fn=None):
    def make(i):
        headers = {"Content-Type": "application/json"}
        if headers_fn:
            headers.update(headers_fn(i))
        return "POST", path, json.dumps(body_fn(i)).encode(), headers

    return make


def median(values):
    return statistics.median(values) if values else 0.0


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0
