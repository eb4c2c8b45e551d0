"""The keep-alive wrapper honcho runs the job processes under: a process that
exits is started again (so honcho never stops the web for it); a signal ends
both; exit status 3 (settings refused) is passed on."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from mobile_api.embedded import stack

ROOT = Path(__file__).resolve().parents[3]


def _wait(predicate, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _keepalive(*command: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "mobile_api.jobs.keepalive", *command], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_a_process_that_exits_is_started_again_and_a_signal_stops_both(tmp_path):
    starts = tmp_path / "starts"
    # The first run dies at once; the second lives until it is signalled.
    script = ("import pathlib, sys, time\n"
              f"p = pathlib.Path({str(starts)!r}); p.write_text(p.read_text() + 'x' if p.exists() else 'x')\n"
              "sys.exit(1) if len(p.read_text()) == 1 else time.sleep(120)\n")
    wrapper = _keepalive(sys.executable, "-c", script)
    try:
        _wait(lambda: starts.exists() and starts.read_text() == "xx", 60, "the second start")
        assert wrapper.poll() is None
        wrapper.send_signal(signal.SIGTERM)
        assert wrapper.wait(timeout=30) == 0
    finally:
        if wrapper.poll() is None:
            wrapper.kill()
    _, stderr = wrapper.communicate()
    assert "exited with status 1; starting it again in 1 s" in stderr


def test_settings_refused_is_passed_on():
    wrapper = _keepalive(sys.executable, "-c", "import sys; sys.exit(3)")
    assert wrapper.wait(timeout=60) == 3


def test_make_run_starts_the_job_processes_under_the_keepalive(monkeypatch):
    added = {}

    class Manager:
        returncode = 0

        def add_process(self, name, cmd, **_kwargs):
            added[name] = cmd

        def loop(self):
            pass

    import honcho.manager

    monkeypatch.setattr(honcho.manager, "Manager", Manager)
    assert stack._run_processes(dict(os.environ), "127.0.0.1", 5999) == 0
    assert "-m mobile_api.jobs.keepalive" not in added["web"]
    for name in ("worker", "scheduler"):
        assert "-m mobile_api.jobs.keepalive" in added[name] and added[name].endswith(f"jobs {name}")


def test_the_procfile_starts_the_job_processes_under_the_keepalive():
    lines = dict(line.split(": ", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line.strip())
    assert lines["worker"] == "python -m mobile_api.jobs.keepalive flask jobs worker"
    assert lines["scheduler"] == "python -m mobile_api.jobs.keepalive flask jobs scheduler"
