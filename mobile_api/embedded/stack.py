"""`make run`: the whole development stack on the embedded engines.

Starts (or reuses) the embedded PostgreSQL and Redis, migrates, loads the
sample city and demo accounts, then runs the web, an RQ worker and an RQ
scheduler under honcho, all with the servers' URLs in their environment so
none starts servers of its own. Ctrl-C stops the three processes, then the
servers this command started; nothing is left running.

    python -m mobile_api.embedded.stack --port 5000
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from pathlib import Path

from config import INSTANCE_DIR

from . import EmbeddedServerError, start


def _interrupt(signum, _frame):
    raise KeyboardInterrupt(signal.Signals(signum).name)


def _flask(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "-m", "flask", *args], env=env, check=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="the development stack on the embedded engines")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "5000")))
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args(argv)
    # A SIGTERM (or a closed terminal) ends this process the way Ctrl-C does,
    # through the `finally` that stops the servers; honcho takes the signals
    # over while it runs the three processes.
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _interrupt)

    env = dict(os.environ)
    env.setdefault("APP_ENV", "development")
    env.setdefault("FLASK_APP", "wsgi:app")
    if env["APP_ENV"] != "development":
        print("make run is the development stack (APP_ENV=development); use `make up` for another", file=sys.stderr)
        return 2
    try:
        services = start(INSTANCE_DIR, need_database=not env.get("DATABASE_URL"),
                         need_redis=not env.get("REDIS_URL"))
    except EmbeddedServerError as exc:
        print(f"make run: {exc}", file=sys.stderr)
        return 1
    env["DATABASE_URL"] = env.get("DATABASE_URL") or services.database_url
    env["REDIS_URL"] = env.get("REDIS_URL") or services.redis_url
    print(f"==> PostgreSQL {env['DATABASE_URL']}\n==> Redis {env['REDIS_URL']}", flush=True)
    try:
        _flask(env, "db", "upgrade")
        _flask(env, "seed", "--sample")  # make run is the sample city; make up and production start empty
        return _run_processes(env, args.host, args.port)
    except subprocess.CalledProcessError as exc:
        return exc.returncode or 1
    except KeyboardInterrupt:
        return 130
    finally:
        services.stop()


def _run_processes(env: dict, host: str, port: int) -> int:
    from honcho.manager import Manager

    python = sys.executable
    manager = Manager()
    cwd = str(Path(__file__).resolve().parents[2])
    manager.add_process("web", f"{python} -m flask run --host {host} --port {port} --no-reload", env=env, cwd=cwd)
    # honcho stops every process when one exits: the keep-alive wrapper
    # starts a worker or scheduler that died again, so the web never goes
    # down with it (and both ride out Redis outages in process).
    keepalive = f"{python} -m mobile_api.jobs.keepalive {python} -m flask jobs"
    manager.add_process("worker", f"{keepalive} worker", env=env, cwd=cwd)
    manager.add_process("scheduler", f"{keepalive} scheduler", env=env, cwd=cwd)
    manager.loop()
    return manager.returncode or 0


if __name__ == "__main__":
    sys.exit(main())
