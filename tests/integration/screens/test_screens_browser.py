"""The two pages in a real headless Chromium (Debian's, never a downloaded
one) against a live server of the app (clients/live_server.py, as the
TypeScript client check uses): a clerk signs in on the window console, takes
a window and calls a ticket; the board page, open in another tab, shows the
number within 2 s without a reload. Screenshots of both go to docs/screens/."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
CHROMIUM = "/usr/bin/chromium"
SHOTS = ROOT / "docs" / "screens"

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                reason="needs Debian's chromium (apt-get install -y chromium fonts-wqy-zenhei)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _post(url: str, body: dict, token: str | None = None) -> dict:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def _put(url: str, body: dict, token: str) -> dict:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="PUT",
                                     headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def _get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    work = tmp_path_factory.mktemp("screens-live")
    port = _free_port()
    credentials = work / "demo-credentials.json"
    log = open(work / "server.log", "w")
    server = subprocess.Popen([sys.executable, str(ROOT / "clients" / "live_server.py"), "--port", str(port),
                               "--credentials", str(credentials)], stdout=log, stderr=subprocess.STDOUT,
                              cwd=ROOT, env=dict(os.environ))
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            try:
                urllib.request.urlopen(f"{base}/api/v1/health", timeout=2)
                break
            except OSError:
                if server.poll() is not None:
                    raise RuntimeError((work / "server.log").read_text())
                time.sleep(0.5)
        else:
            raise RuntimeError("live server did not start")
        yield base, json.loads(credentials.read_text())
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def _walk_in(base: str, creds: dict) -> dict:
    kiosk = creds["kiosk"]
    pair = _post(f"{base}/api/v1/auth/kiosk/token", {"device_code": kiosk["device_code"], "secret": kiosk["secret"]})
    hall = _get(f"{base}/api/v1/booking/halls/{kiosk['hall_id']}")
    return _post(f"{base}/api/v1/booking/tickets", {"item": hall["items"][0]["item_code"]}, pair["access_token"])


def test_a_clerk_calls_and_the_board_shows_it_within_two_seconds(live):
    from playwright.sync_api import expect, sync_playwright

    base, creds = live
    board = creds["board"]
    clerk = next(person for person in creds["staff"] if person["username"] == "demo.clerk")
    first = _walk_in(base, creds)
    second = _walk_in(base, creds)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            screen = browser.new_page(viewport={"width": 1920, "height": 1080})
            problems = []
            screen.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            screen.goto(f"{base}/screens/board/{board['hall_id']}#device={board['device_code']}&secret={board['secret']}")
            expect(screen.locator("#link-state")).to_have_text("实时", timeout=10_000)
            expect(screen.locator("#queues tbody tr").first).to_be_visible()
            assert "secret" not in screen.url  # the credentials leave the address bar

            console = browser.new_page(viewport={"width": 1440, "height": 900})
            console.goto(f"{base}/screens/window")
            console.fill("input[name=username]", clerk["username"])
            console.fill("input[name=password]", clerk["password"])
            console.click("#login-form button[type=submit]")
            expect(console.locator("#open-view")).to_be_visible()
            windows = console.evaluate("fetch('/api/v1/screens/console', {headers: {Authorization: 'Bearer ' + "
                                       "sessionStorage.getItem('screens.console.token')}}).then(r => r.json())")
            window = next(w for w in windows["windows"] if first["queue_id"] in w["queue_ids"])
            console.select_option("#window-select", str(window["id"]))
            console.click("#open-form button[type=submit]")  # opens the counter session
            expect(console.locator("#c-link")).to_have_text("实时", timeout=10_000)
            expect(console.locator("#waiting tbody tr")).to_have_count(2)

            console.keyboard.press("F1")  # call next
            expect(console.locator("#current-number")).to_have_text(first["number"])
            called_at = time.monotonic()
            # the board changes by itself, without a reload
            expect(screen.locator("#calling tbody tr").first).to_contain_text(first["number"], timeout=2_000)
            assert time.monotonic() - called_at <= 2.0
            assert screen.evaluate("performance.getEntriesByType('navigation').length") == 1
            expect(console.locator("#waiting tbody tr")).to_have_count(1)
            expect(console.locator("#item-detail")).to_contain_text("承诺时限")

            console.keyboard.press("F6")  # the citizen is at the window: serve
            expect(console.locator("#current-detail")).to_contain_text("办理中")
            console.keyboard.press("F5")  # complete
            expect(console.locator("#current-number")).to_have_text("—")
            expect(screen.locator("#calling tbody tr")).to_have_count(0, timeout=2_000)
            console.keyboard.press("F1")
            expect(console.locator("#current-number")).to_have_text(second["number"])
            expect(screen.locator("#calling tbody tr").first).to_contain_text(second["number"], timeout=2_000)

            expect(console.locator("#mine")).to_contain_text("办结1")
            # a fuller hall for the pictures: people waiting, and a notice line set by the admin
            for _ in range(3):
                _walk_in(base, creds)
            admin = next(person for person in creds["staff"] if person["username"] == "demo.admin")
            token = _post(f"{base}/api/v1/auth/staff/login", {"username": admin["username"],
                                                               "password": admin["password"]})["access_token"]
            _put(f"{base}/api/v1/screens/halls/{board['hall_id']}/notice",
                 {"text": "温馨提示：今日 16:30 后停止取号，请携带身份证原件办理业务。"}, token)
            expect(screen.locator("#notice")).to_contain_text("16:30", timeout=2_000)
            expect(console.locator("#waiting tbody tr")).to_have_count(3, timeout=2_000)

            SHOTS.mkdir(parents=True, exist_ok=True)
            screen.screenshot(path=str(SHOTS / "board.png"))
            console.screenshot(path=str(SHOTS / "window.png"))
            assert not [p for p in problems if "Content Security Policy" in p], problems
        finally:
            browser.close()
