"""Issue 6: uploads and submissions of 网上申办 under gunicorn.

1. Memory: one 10 MB PDF uploaded to a sync worker raises its peak resident
   memory (VmHWM) by less than 20 MB (goal), because uploads are streamed to
   disk in chunks and hashed on the way.
2. Throughput: complete submissions per second against requests per second
   of a bare Flask endpoint storing the same three files in one request; same
   run, same gunicorn settings, interleaved rounds. Goal: ratio >= 0.5.
   The submission measured against the goal is what a phone sends when the
   citizen presses 提交: ONE multipart `POST /api/v1/applications/submit`
   carrying the form and the three 2 MB materials, with an Idempotency-Key
   (creates, stores, submits; one durable commit). The stepwise flow (create
   a draft, three uploads, submit: five requests) is measured too, for
   reference, against the same baseline.

Run: .venv/bin/python -m bench.submissions_upload (a database of its own on
DATABASE_URL's server, or on the embedded one; bench/servers.py).
"""

from __future__ import annotations

import json
import os
import secrets
import tempfile
import threading
import time
import uuid
from pathlib import Path

from .common import _connect, gunicorn
from .servers import bench_services

ITEM = "130300020000"  # 残疾人证换领: three materials, none needs a face check
FORM = {"name": "张三", "id_number": "441900199003071238", "disability_cert_no": "44190019900307123X41",
        "reason": "有效期届满"}
ROUNDS = 3
SECONDS = 8
CONCURRENCY = 4
MB = 1_000_000


def _pdf(size: int) -> bytes:
    head, tail = b"%PDF-1.4\n", b"\n%%EOF\n"
    return head + secrets.token_bytes(size - len(head) - len(tail)) + tail


def _multipart(parts: list[tuple[str, str, bytes | None, str | None]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    chunks = []
    for name, value, data, filename in parts:
        if data is None:
            chunks.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
        else:
            chunks.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                          f'Content-Type: application/pdf\r\n\r\n'.encode() + data + b"\r\n")
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks), f"multipart/form-data; boundary={boundary}"


def _prepare(tmp: str, database_url: str, redis_url: str) -> tuple[dict, str]:
    """Schema, catalogue and a citizen token in a fresh database; returns (env, token)."""
    # Notifications go to the outbox and wait for its worker, as in production
    # (development's inline delivery would add its own commits to every request).
    env = {"APP_ENV": "development", "INSTANCE_DIR": tmp, "RATELIMIT_ENABLED": "false", "LOG_LEVEL": "WARNING",
           "DATABASE_URL": database_url, "REDIS_URL": redis_url, "WECHAT_DELIVER_AFTER_COMMIT": "false",
           "SUBMISSIONS_STORAGE_DIR": f"{tmp}/files", "BASELINE_STORE_DIR": f"{tmp}/baseline",
           # Explicit secrets: the tokens made here must verify in the gunicorn workers.
           "JWT_SIGNING_KEYS": f"bench:{secrets.token_urlsafe(32)}", "JWT_ACTIVE_KID": "bench",
           "DATA_ENCRYPTION_KEY": secrets.token_urlsafe(32), "SECRET_KEY": secrets.token_urlsafe(32)}
    os.environ.update(env)  # restored by main()
    from config import load_config
    from guides.services import load_sample_catalogue
    from identity import services as identity_services
    from mobile_api import create_app, migrate

    migrate.upgrade(env["DATABASE_URL"])
    app = create_app(load_config("development", dict(os.environ)))
    with app.app_context():
        session = app.extensions["db"].new_session()
        load_sample_catalogue(session, app.extensions["clock"])
        citizen = identity_services.create_citizen(session, app.extensions["clock"])
        token = app.extensions["tokens"].issue_access(identity_services.citizen_actor(citizen, "app"))
        session.commit()  # the services leave committing to their caller
        session.close()
    return env, token


def _request(conn, method, path, body=None, headers=None):
    conn.request(method, path, body=body, headers=headers or {})
    response = conn.getresponse()
    data = response.read()
    return response.status, data


def _submission(conn, auth: dict, files: list[bytes]) -> int:
    """One request: form and materials together, as the phone sends them on 提交."""
    parts = [("application", json.dumps({"item_code": ITEM, "form": FORM}), None, None)]
    parts += [(f"files.{code}", "", content, f"{code}.pdf") for code, content in zip(("M01", "M02", "M03"), files)]
    body, content_type = _multipart(parts)
    status, _ = _request(conn, "POST", "/api/v1/applications/submit", body,
                         dict(auth, **{"Content-Type": content_type, "Idempotency-Key": uuid.uuid4().hex}))
    return status


def _stepwise_submission(conn, auth: dict, files: list[bytes]) -> int:
    """Five requests: draft, three uploads, submit."""
    status, data = _request(conn, "POST", "/api/v1/applications",
                            json.dumps({"item_code": ITEM, "form": FORM}).encode(),
                            dict(auth, **{"Content-Type": "application/json"}))
    if status != 201:
        return status
    app_id = json.loads(data)["id"]
    for code, content in zip(("M01", "M02", "M03"), files):
        body, content_type = _multipart([("material_code", code, None, None), ("file", "", content, f"{code}.pdf")])
        status, _ = _request(conn, "POST", f"/api/v1/applications/{app_id}/materials", body,
                             dict(auth, **{"Content-Type": content_type}))
        if status != 201:
            return status
    status, _ = _request(conn, "POST", f"/api/v1/applications/{app_id}/submit", None,
                         dict(auth, **{"Idempotency-Key": uuid.uuid4().hex}))
    return status


def _baseline(conn, files: list[bytes]) -> int:
    body, content_type = _multipart([("file", "", content, f"{i}.pdf") for i, content in enumerate(files)])
    status, _ = _request(conn, "POST", "/store", body, {"Content-Type": content_type})
    return status


def _drive(port: int, one, expected: int) -> dict:
    """Repeat `one(conn)` over CONCURRENCY keep-alive connections for SECONDS."""
    counts, errors, lock = [0], {}, threading.Lock()
    stop_at = time.perf_counter() + SECONDS

    def worker():
        conn = _connect(port)
        while time.perf_counter() < stop_at:
            status = one(conn)
            with lock:
                if status == expected:
                    counts[0] += 1
                else:
                    errors[status] = errors.get(status, 0) + 1

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(CONCURRENCY)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return {"done": counts[0], "per_second": round(counts[0] / elapsed, 2), "errors": errors}


def _worker_pid(port: int) -> int:
    """The gunicorn worker (a child of the master listening on `port`)."""
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            status = (proc / "status").read_text()
        except OSError:
            continue
        if f"127.0.0.1:{port}" in cmdline and "gunicorn" in cmdline:
            ppid = int(next(l for l in status.splitlines() if l.startswith("PPid:")).split()[1])
            parent = Path(f"/proc/{ppid}/cmdline")
            if parent.exists() and f"127.0.0.1:{port}" in parent.read_bytes().decode(errors="ignore"):
                return int(proc.name)
    raise RuntimeError("gunicorn worker not found")


def _status_mb(pid: int, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def measure_memory(env: dict, token: str) -> dict:
    auth = {"Authorization": f"Bearer {token}"}
    with gunicorn("wsgi:app", env=env, workers=1) as port:
        conn = _connect(port)
        small = [_pdf(200_000)] * 3
        for _ in range(3):  # warm up: imports, pools, caches, the multipart path
            status = _stepwise_submission(conn, auth, small)
            assert status == 200, status
            assert _submission(conn, auth, small) == 201
        pid = _worker_pid(port)
        status, data = _request(conn, "POST", "/api/v1/applications",
                                json.dumps({"item_code": ITEM, "form": FORM}).encode(),
                                dict(auth, **{"Content-Type": "application/json"}))
        app_id = json.loads(data)["id"]
        before_rss, before_peak = _status_mb(pid, "VmRSS"), _status_mb(pid, "VmHWM")
        body, content_type = _multipart([("material_code", "M03", None, None), ("file", "", _pdf(10 * MB), "big.pdf")])
        status, data = _request(conn, "POST", f"/api/v1/applications/{app_id}/materials", body,
                                dict(auth, **{"Content-Type": content_type}))
        assert status == 201, data[:300]
        after_rss, after_peak = _status_mb(pid, "VmRSS"), _status_mb(pid, "VmHWM")
        # The same 10 MB file inside a one-request submission (with two small ones).
        status = _submission(conn, auth, [_pdf(200_000), _pdf(200_000), _pdf(10 * MB)])
        assert status == 201, status
        one_request_peak = _status_mb(pid, "VmHWM")
    return {"upload_mb": 10, "one_request_peak_growth_mb": round(one_request_peak - before_peak, 1), "rss_before_mb": round(before_rss, 1), "rss_after_mb": round(after_rss, 1),
            "peak_before_mb": round(before_peak, 1), "peak_after_mb": round(after_peak, 1),
            "peak_growth_mb": round(after_peak - before_peak, 1), "rss_growth_mb": round(after_rss - before_rss, 1)}


def measure_throughput(env: dict, token: str) -> dict:
    auth = {"Authorization": f"Bearer {token}"}
    files = [_pdf(2 * MB) for _ in range(3)]
    runs = {"submissions": [], "baseline": [], "stepwise": []}
    with gunicorn("wsgi:app", env=env) as ours, gunicorn("bench.submissions_baseline_app:app", env=env) as bare:
        for _ in range(ROUNDS):  # interleaved, so drift hits all alike
            runs["submissions"].append(_drive(ours, lambda c: _submission(c, auth, files), 201))
            runs["baseline"].append(_drive(bare, lambda c: _baseline(c, files), 201))
            runs["stepwise"].append(_drive(ours, lambda c: _stepwise_submission(c, auth, files), 200))
    summary = {name: sorted(r, key=lambda x: x["per_second"])[len(r) // 2] for name, r in runs.items()}
    summary["ratio"] = round(summary["submissions"]["per_second"] / summary["baseline"]["per_second"], 3)
    summary["stepwise_ratio"] = round(summary["stepwise"]["per_second"] / summary["baseline"]["per_second"], 3)
    return summary


def main() -> None:
    saved = dict(os.environ)
    try:
        with tempfile.TemporaryDirectory() as tmp, bench_services("upload") as (database_url, redis_url):
            env, token = _prepare(tmp, database_url, redis_url)
            memory = measure_memory(env, token)
            throughput = measure_throughput(env, token)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    print("database: PostgreSQL, redis: real")
    print("1) one 10 MB PDF upload, 1 gunicorn sync worker")
    print(json.dumps(memory, indent=2))
    print(f"peak resident growth = {memory['peak_growth_mb']} MB, and {memory['one_request_peak_growth_mb']} MB "
          f"after a one-request submission carrying it (goal < 20 MB)")
    print(f"2) one-request submission (POST /applications/submit: form + 3 x 2 MB PDFs) vs bare store of the "
          f"same 3 files; 2 sync workers, {CONCURRENCY} connections, median of {ROUNDS} x {SECONDS}s")
    print(json.dumps(throughput, indent=2))
    print(f"ratio one-request submissions/baseline = {throughput['ratio']} (goal >= 0.5)")
    print(f"reference: stepwise flow (draft + 3 uploads + submit, 5 requests)/baseline = "
          f"{throughput['stepwise_ratio']}")


if __name__ == "__main__":
    main()
