"""Issue 2: what does the shell cost? `GET /api/v1/health` on our app against a
bare Flask app, both under gunicorn with the same settings and the same load.
Goal: ours/bare requests/s >= 0.8."""

from __future__ import annotations

import json
import tempfile

from .common import drive, get, gunicorn
from .servers import bench_services

ROUNDS = 3
SECONDS = 5
CONCURRENCY = 8


def _env(tmp: str, database_url: str, redis_url: str) -> dict:
    return {"APP_ENV": "development", "INSTANCE_DIR": tmp, "DATABASE_URL": database_url,
            "REDIS_URL": redis_url, "RATELIMIT_ENABLED": "false", "LOG_LEVEL": "WARNING"}


def run() -> dict:
    results = {"ours": [], "bare": []}
    with tempfile.TemporaryDirectory() as tmp, bench_services() as (database_url, redis_url):
        env = _env(tmp, database_url, redis_url)
        with gunicorn("wsgi:app", env=env) as ours_port, gunicorn("bench.bare_app:app", env=env) as bare_port:
            for _ in range(ROUNDS):  # interleaved, so drift hits both alike
                results["ours"].append(drive(ours_port, get("/api/v1/health"), CONCURRENCY, duration=SECONDS))
                results["bare"].append(drive(bare_port, get("/api/v1/health"), CONCURRENCY, duration=SECONDS))
    summary = {}
    for name, runs in results.items():
        best = sorted(runs, key=lambda r: r.rps)[len(runs) // 2]  # the median run
        summary[name] = best.summary()
    summary["ratio_rps"] = round(summary["ours"]["rps"] / summary["bare"]["rps"], 3)
    return summary


def main() -> None:
    summary = run()
    print("GET /api/v1/health, 2 gunicorn sync workers, "
          f"{CONCURRENCY} connections, median of {ROUNDS} x {SECONDS}s")
    print(json.dumps(summary, ensure_ascii=False, indent=2))
    print(f"ratio ours/bare = {summary['ratio_rps']} (goal >= 0.8)")


if __name__ == "__main__":
    main()
