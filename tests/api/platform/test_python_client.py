"""The Python client that openapi-python-client generates from the committed
document: it generates without a config file, `pip install`s offline, and
runs one real flow (clients/python/flow.py) against a live server of the app
on the suite's PostgreSQL (an empty database of its own) and Redis."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from mobile_api.contract import catalog

ROOT = Path(__file__).resolve().parents[3]
PACKAGE = "fingertip_services_api_client"
BIN = Path(sys.executable).parent

pytestmark = pytest.mark.slow


def _run(*command, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, **kwargs)
    assert result.returncode == 0, f"{command[:3]}… failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


@pytest.fixture(scope="module")
def installed_client(tmp_path_factory):
    """Generated from the snapshot and installed into a directory of its own
    (no network: --no-index, the build backend and httpx/attrs/dateutil pinned in requirements.txt)."""
    work = tmp_path_factory.mktemp("python-client")
    # ruff (a dependency of the generator) formats the code when it is on PATH.
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    generated = _run(str(BIN / "openapi-python-client"), "generate", "--path", str(catalog.SNAPSHOT_PATH),
                     "--output-path", str(work / "client"), env=env, cwd=work)
    assert "Warning" not in generated.stdout + generated.stderr, generated.stdout + generated.stderr
    site = work / "site"
    _run(sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-index", "--no-deps",
         "--no-build-isolation", "--target", str(site), str(work / "client"))
    assert (site / PACKAGE / "client.py").exists()
    return site


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def live_server(scratch_database_url, redis_client, tmp_path):
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "clients" / "live_server.py"), "--port", str(port),
         "--credentials", str(tmp_path / "demo-credentials.json"),
         "--database-url", scratch_database_url, "--redis-url", os.environ["REDIS_URL"]],
        stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/v1/health", timeout=2)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"live server did not start:\n{(tmp_path / 'server.log').read_text()[-3000:]}")
                time.sleep(0.3)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def test_the_generated_package_is_named_in_ascii_and_imports(installed_client):
    result = _run(sys.executable, "-c", f"import {PACKAGE}.models as m; print(m.MaterialFile.__name__)",
                  env=dict(os.environ, PYTHONPATH=str(installed_client)))
    assert result.stdout.strip() == "MaterialFile"


def test_a_flow_runs_through_the_generated_python_client(installed_client, live_server):
    result = _run(sys.executable, str(ROOT / "clients" / "python" / "flow.py"), "--base", live_server,
                  env=dict(os.environ, PYTHONPATH=str(installed_client)))
    assert "python client: application" in result.stdout and "submitted" in result.stdout
