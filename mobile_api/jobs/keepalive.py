"""`python -m mobile_api.jobs.keepalive CMD …`: run CMD and start it again
whenever it exits without having been asked to stop.

honcho (`make up`, `make run`) stops every process of the stack as soon as
one of them exits, so a worker that died would take the web down with it.
The worker and scheduler ride out Redis outages in process
(`mobile_api.jobs.supervise`); this wrapper is the backstop for everything
else (a crash, an out-of-memory kill): honcho only ever sees it exit when
the stack is being stopped. Restarts back off from 1 s to 30 s (reset after
a minute of running). Exit status 3 (production settings refused) is passed
on, since starting again cannot help and the web refuses the same settings.

Signals (SIGTERM, SIGINT, SIGHUP) are passed to CMD and end the wrapper
once CMD has exited; when honcho signals the whole process group CMD gets
the signal twice, which RQ's worker and scheduler take as one.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

SETTINGS_REFUSED = 3
MAX_DELAY_SECONDS = 30.0
STABLE_AFTER_SECONDS = 60.0


def _say(message: str, **fields) -> None:
    print(json.dumps({"level": "WARNING", "logger": "mobile_api.jobs.keepalive", "message": message, **fields},
                     ensure_ascii=False), file=sys.stderr, flush=True)


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: python -m mobile_api.jobs.keepalive CMD [ARGS...]", file=sys.stderr)
        return 2
    state = {"stopping": False, "child": None}

    def forward(signum, _frame):
        state["stopping"] = True
        child = state["child"]
        if child is not None and child.poll() is None:
            child.send_signal(signum)

    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, forward)
    delay = 1.0
    while True:
        started = time.monotonic()
        state["child"] = child = subprocess.Popen(argv)
        if state["stopping"]:  # the signal came while it was being started
            child.send_signal(signal.SIGTERM)
        code = child.wait()
        if state["stopping"]:
            return 0 if code < 0 else code
        if code == SETTINGS_REFUSED:
            return code
        if time.monotonic() - started > STABLE_AFTER_SECONDS:
            delay = 1.0
        _say(f"{' '.join(argv)} exited with status {code}; starting it again in {delay:.0f} s",
             command=argv, status=code)
        deadline = time.monotonic() + delay
        while not state["stopping"] and time.monotonic() < deadline:
            time.sleep(0.1)
        if state["stopping"]:
            return 0
        delay = min(delay * 2, MAX_DELAY_SECONDS)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
