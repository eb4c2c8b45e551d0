"""schemathesis over the whole OpenAPI document, as a citizen, a clerk and an
admin, against a live server (started by clients/check.sh fuzz).

Fails on any 5xx or any answer that does not match the document (status,
content type, schema, headers). Prints, per role, how many operations and
requests were run. The citizen run adds schemathesis' coverage phase (every
boundary and invalid value of every parameter, ~80 requests an operation);
the staff runs fuzz only, to keep CI to a few minutes. FUZZ_MAX_EXAMPLES
(default 5) bounds the fuzzing per operation.

The runs stay authenticated: operations that end the caller's own session or
another principal's (logout, closing the account, deactivating staff or a
kiosk, resetting a password) are left out of the role runs and fuzzed last,
the citizen with a throw-away account of its own (a fresh WeChat user), the
admin after every other run (what it deactivates no later run needs). Each role logs in just before its run.
The share of 401 answers is printed for the role runs, and the run fails
above FUZZ_MAX_401_SHARE (default 0.05): a fuzzer that lost its token tests
little but the authentication guard.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

import requests

CHECKS = ("not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,"
          "response_headers_conformance")


# Operations that end a session (the caller's own, or one the other runs use).
SESSION_ENDING = ("auth_logout", "me_deleteMe", "identity_admin_deactivateStaff", "identity_admin_resetStaffPassword",
                  "identity_admin_deactivateKiosk")
PHASES = {"citizen": "coverage,fuzzing", "clerk": "fuzzing", "admin": "fuzzing"}


def _demo_staff(credentials: Path) -> dict[str, str]:
    demo = json.loads(credentials.read_text(encoding="utf-8"))
    return {entry["username"]: entry["password"] for entry in demo["staff"]}


def login(base: str, credentials: Path, role: str, code: str = "fuzz-citizen:1") -> str:
    """A fresh access token for the role (logged in now, so it is valid for its run)."""
    if role == "citizen":
        answer = requests.post(f"{base}/api/v1/auth/wechat/miniprogram", json={"code": code}, timeout=30)
    else:
        username = {"clerk": "demo.clerk", "admin": "demo.admin"}[role]
        answer = requests.post(f"{base}/api/v1/auth/staff/login",
                               json={"username": username, "password": _demo_staff(credentials)[username]}, timeout=30)
    answer.raise_for_status()
    return answer.json()["access_token"]


def throwaway_admin(base: str, credentials: Path) -> str:
    """The admin of the session-ending run: the demo admin, whose own session
    those operations cannot end (nobody deactivates or resets themselves);
    that run comes after every other, so the staff and kiosks it deactivates
    are needed by no later run."""
    return login(base, credentials, "admin")


def run_as(base: str, role: str, token: str, max_examples: int, report_dir: Path, *, phases: str,
           operations: tuple[str, ...] = (), exclude: tuple[str, ...] = ()) -> tuple[int, int, dict[int, int]]:
    """(exit code, operations, answers per status) of one schemathesis run."""
    events = report_dir / f"{role}-{len(list(report_dir.iterdir()))}.ndjson"
    command = [str(Path(sys.executable).with_name("schemathesis")), "run", f"{base}/api/v1/openapi.json",
               "--checks", CHECKS, "--max-examples", str(max_examples), "--seed", "12",
               "--header", f"Authorization: Bearer {token}", "--header", "X-Client-Channel: app",
               "--workers", "1", "--request-timeout", "30", "--phases", phases,
               "--suppress-health-check", "all", "--continue-on-failure",
               "--report", "ndjson", "--report-ndjson-path", str(events), "--output-truncate", "true"]
    for operation_id in operations:
        command += ["--include-operation-id", operation_id]
    for operation_id in exclude:
        command += ["--exclude-operation-id", operation_id]
    result = subprocess.run(command, text=True, capture_output=True)
    # The whole report when something failed (the failures come first); the summary otherwise.
    print(result.stdout if result.returncode else result.stdout[-3000:])
    if result.returncode not in (0, 1):
        print(result.stderr[-3000:], file=sys.stderr)
    count, statuses = _counts(events)
    return result.returncode, count, statuses


def _counts(events: Path) -> tuple[int, dict[int, int]]:
    """(operations, answers per HTTP status) from schemathesis' ndjson report."""
    operations, statuses = set(), Counter()
    if not events.exists():
        return 0, {}
    for line in events.read_text(encoding="utf-8").splitlines():
        event = json.loads(line)
        for kind, body in event.items():
            if kind == "ScenarioFinished" and isinstance(body, dict):
                label = body.get("label") or (body.get("recorder") or {}).get("label")
                if label:
                    operations.add(label)
                interactions = (body.get("recorder") or {}).get("interactions") or {}
                for interaction in interactions.values():
                    response = (interaction or {}).get("response") or {}
                    status = response.get("status_code") or response.get("status")
                    statuses[int(status) if status else 0] += 1
    return len(operations), dict(statuses)


def share_401(statuses: dict[int, int]) -> float:
    sent = sum(statuses.values())
    return statuses.get(401, 0) / sent if sent else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True)
    parser.add_argument("--credentials", type=Path, required=True)
    parser.add_argument("--max-examples", type=int, default=int(os.environ.get("FUZZ_MAX_EXAMPLES", "5")))
    parser.add_argument("--max-401-share", type=float, default=float(os.environ.get("FUZZ_MAX_401_SHARE", "0.05")))
    args = parser.parse_args()
    report_dir = Path(tempfile.mkdtemp(prefix="fingertip-fuzz-"))
    failed = []
    operations_seen, statuses = 0, Counter()
    # Every principal logs in before any run: the runs fuzz the login
    # endpoints themselves, which rate-limits and locks this address and the
    # accounts it tries (tokens last an hour, the whole fuzz a few minutes).
    tokens = {role: login(args.base, args.credentials, role) for role in PHASES}
    throwaway = {"citizen": login(args.base, args.credentials, "citizen", code="fuzz-throwaway:1"),
                 "admin": throwaway_admin(args.base, args.credentials)}
    for role in PHASES:
        token = tokens[role]
        code, operations, answers = run_as(args.base, role, token, args.max_examples, report_dir,
                                           phases=PHASES[role], exclude=SESSION_ENDING)
        print(f"[fuzz] as {role}: {operations} operations, {sum(answers.values())} requests, "
              f"401: {share_401(answers):.1%}, exit {code}")
        operations_seen = max(operations_seen, operations)
        statuses.update(answers)
        if code != 0:
            failed.append(role)
    # Last, with throw-away principals: whatever they end, no later run needs.
    ending = Counter()
    for role, token in throwaway.items():
        code, operations, answers = run_as(args.base, role, token, args.max_examples, report_dir,
                                           phases="fuzzing", operations=SESSION_ENDING)
        print(f"[fuzz] session-ending operations as a throw-away {role}: {operations} operations, "
              f"{sum(answers.values())} requests, exit {code}")
        ending.update(answers)
        if code != 0:
            failed.append(f"{role} (session-ending)")
    sent = sum(statuses.values())
    share = share_401(statuses)
    print(f"[fuzz] total: {operations_seen} operations, {sent} requests in the role runs "
          f"(+{sum(ending.values())} session-ending); 401 answers: {statuses.get(401, 0)} = {share:.1%} "
          f"(limit {args.max_401_share:.0%}); failures as: {failed or 'none'}")
    if share > args.max_401_share:
        failed.append("401 share")
    shutil.rmtree(report_dir, ignore_errors=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
