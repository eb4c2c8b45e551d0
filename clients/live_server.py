"""A live server for the client checks (`make client-check`, `make contract-fuzz`).

What `make run` gives a newcomer (a PostgreSQL and a Redis of its own from
the embedded wheels, in a temporary directory removed at exit, the WeChat
stand-in, the sample data and demo accounts), on a loopback port, with two
differences that make the flows repeatable at any hour of CI:

- the clock starts on a fixed working-day morning in Asia/Shanghai
  (`--start`) and runs on in real time from there;
- booking needs no notice (`BOOKING_MIN_NOTICE_MINUTES=0`), so a flow can
  book a slot starting within the check-in window and check in at once.

The demo credentials go to `--credentials`, never to instance/, so a
developer's own `make run` database keeps its passwords.

    python clients/live_server.py --port 5123 --credentials /tmp/creds.json

With `--database-url` and `--redis-url` (the test suite's servers: an empty
database of its own and the suite's Redis) no embedded server is started.
"""

from __future__ import annotations

import argparse
import atexit
import os
import shutil
import signal
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from werkzeug.serving import make_server  # noqa: E402

from config import load_config  # noqa: E402
from mobile_api import create_app, migrate  # noqa: E402
from mobile_api import embedded  # noqa: E402
from mobile_api.clock import LOCAL_TZ, SystemClock  # noqa: E402


class ShiftedClock(SystemClock):
    """Real time, moved so that the server starts at `start`."""

    def __init__(self, start: datetime):
        self._offset = start.astimezone(timezone.utc) - datetime.now(timezone.utc)

    def now(self) -> datetime:
        return datetime.now(timezone.utc) + self._offset


def build(services: embedded.EmbeddedServices, credentials: Path, start: datetime):
    database_url = services.database_url
    env = dict(os.environ, DATABASE_URL=database_url, REDIS_URL=services.redis_url,
               BOOKING_MIN_NOTICE_MINUTES="0", LOG_LEVEL="WARNING")
    config = load_config("development", env)
    app = create_app(config, clock=ShiftedClock(start))
    migrate.upgrade(database_url)
    from identity.demo import seed_demo_accounts
    from mobile_api.uow import unit_of_work

    with app.app_context():
        for _, name, seeder in sorted(app.extensions.get("seeders", []), key=lambda entry: entry[0]):
            # As `flask seed` does: one unit of work per seeder, committed at its end.
            with unit_of_work(app, name=f"seed:{name}") as work:
                if seeder is seed_demo_accounts:
                    seed_demo_accounts(work.session, work.clock, app, path=credentials)
                else:
                    seeder(work.session, work.clock, app)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--credentials", type=Path, required=True)
    parser.add_argument("--start", default="2026-11-26T08:50", help="local (Asia/Shanghai) time the clock starts at")
    parser.add_argument("--database-url", help="an empty PostgreSQL database to use instead of an embedded server")
    parser.add_argument("--redis-url", help="a Redis to use instead of an embedded server")
    args = parser.parse_args()
    # Stopped by SIGTERM (clients/check.sh, the client tests): exit through
    # atexit, which stops the servers started here (registered after, so run before rmtree).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    if args.database_url and args.redis_url:
        services = embedded.EmbeddedServices(database_url=args.database_url, redis_url=args.redis_url)
    else:
        directory = Path(tempfile.mkdtemp(prefix="fingertip-live-"))
        atexit.register(shutil.rmtree, directory, True)
        services = embedded.start(directory, test=True)
    start = datetime.fromisoformat(args.start).replace(tzinfo=LOCAL_TZ)
    app = build(services, args.credentials, start)
    server = make_server("127.0.0.1", args.port, app, threaded=True)
    print(f"live server on http://127.0.0.1:{args.port} (clock from {start.isoformat()})", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
