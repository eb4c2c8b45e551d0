"""schemathesis over the whole OpenAPI document, as a citizen, a clerk and an
admin, against a live server (started by clients/check.sh fuzz).

Fails on any 5xx or any answer that does not match the document (status,
content type, schema, headers). Prints, per role, how many operations and
requests were run. The citizen run adds schemathesis' coverage phase (every
boundary and invalid value of every parameter, ~80 requests an operation);
the staff runs fuzz only, to keep CI to a few minutes. FUZZ_MAX_EXAMPLES
(default 5) bounds the fuzzing per operation.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import requests

CHECKS = ("not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,"
          "response_headers_conformance")


def tokens(base: str, credentials: Path) -> dict[str, str]:
    demo = json.loads(credentials.read_text(encoding="utf-8"))
    staff = {entry["username"]: entry["password"] for entry in demo["staff"]}
    citizen = requests.post(f"{base}/api/v1/auth/wechat/miniprogram", json={"code": "fuzz-citizen:1"}, timeout=30)
    found = {"citizen": citizen.json()["access_token"]}
    for role, username in (("clerk", "demo.clerk"), ("admin", "demo.admin")):
        answer = requests.post(f"{base}/api/v1/auth/staff/login",
                               json={"username": username, "password": staff[username]}, timeout=30)
        found[role] = answer.json()["access_token"]
    return found


PHASES = {"citizen": "coverage,fuzzing", "clerk": "fuzzing", "admin": "fuzzing"}


def run_as(base: str, role: str, token: str, max_examples: int, report_dir: Path) -> tuple[int, int, int]:
    """(exit code, operations, requests) of one schemathesis run."""
    events = report_dir / f"{role}.ndjson"
    command = [str(Path(sys.executable).with_name("schemathesis")), "run", f"{base}/api/v1/openapi.json",
               "--checks", CHECKS, "--max-examples", str(max_examples), "--seed", "12",
               "--header", f"Authorization: Bearer {token}", "--header", "X-Client-Channel: app",
               "--workers", "1", "--request-timeout", "30", "--phases", PHASES[role],
               "--suppress-health-check", "all", "--continue-on-failure",
               "--report", "ndjson", "--report-ndjson-path", str(events), "--output-truncate", "true"]
    result = subprocess.run(command, text=True, capture_output=True)
    # The whole report when something failed (the failures come first); the summary otherwise.
    print(result.stdout if result.returncode else result.stdout[-3000:])
    if result.returncode not in (0, 1):
        print(result.stderr[-3000:], file=sys.stderr)
    operations, sent = _counts(events)
    return result.returncode, operations, sent


def _counts(events: Path) -> tuple[int, int]:
    operations, sent = set(), 0
    if not events.exists():
        return 0, 0
    for line in events.read_text(encoding="utf-8").splitlines():
        event = json.loads(line)
        for kind, body in event.items():
            if kind == "ScenarioFinished" and isinstance(body, dict):
                label = body.get("label") or (body.get("recorder") or {}).get("label")
                if label:
                    operations.add(label)
                interactions = (body.get("recorder") or {}).get("interactions") or {}
                sent += len(interactions)
    return len(operations), sent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True)
    parser.add_argument("--credentials", type=Path, required=True)
    parser.add_argument("--max-examples", type=int, default=int(os.environ.get("FUZZ_MAX_EXAMPLES", "5")))
    args = parser.parse_args()
    report_dir = Path(tempfile.mkdtemp(prefix="fingertip-fuzz-"))
    failed = []
    totals = [0, 0]
    for role, token in tokens(args.base, args.credentials).items():
        code, operations, sent = run_as(args.base, role, token, args.max_examples, report_dir)
        print(f"[fuzz] as {role}: {operations} operations, {sent} requests, exit {code}")
        totals[0] = max(totals[0], operations)
        totals[1] += sent
        if code != 0:
            failed.append(role)
    print(f"[fuzz] total: {totals[0]} operations, {totals[1]} requests; failures as: {failed or 'none'}")
    shutil.rmtree(report_dir, ignore_errors=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
