"""Runs rows of the access matrix against the real app (see matrix.py)."""

from __future__ import annotations

import pytest

from tests.access.matrix import FINDINGS, KINDS, MATRIX

REFUSALS = (401, 403, 404)


def rows_under(*prefixes: str) -> list[tuple[str, str]]:
    """The matrix rows of the operations under these path prefixes."""
    return sorted(key for key in MATRIX if key[1].startswith(prefixes))


def row_params(rows: list[tuple[str, str]]) -> list:
    """pytest parameters for `rows`; a row with an open finding runs as a
    strict expected failure (the test says so once the code is fixed)."""
    params = []
    for method, template in rows:
        marks = [pytest.mark.xfail(strict=True, reason=FINDINGS[(method, template)])] \
            if (method, template) in FINDINGS else []
        params.append(pytest.param(method, template, id=f"{method} {template[len('/api/v1'):]}", marks=marks))
    return params


def principals(make, *, here_hall: int, there_hall: int, department: str, other_department: str,
               owner=None) -> dict:
    """One principal of every kind in matrix.PRINCIPALS, relative to the
    object's hall and department (`owner`: the citizen who owns it, if the
    caller made one already)."""
    return {
        "owner": owner if owner is not None else make.citizen(),
        "other_citizen": make.citizen(),
        "kiosk_here": make.kiosk(hall_id=here_hall)[0],
        "kiosk_elsewhere": make.kiosk(hall_id=there_hall)[0],
        "clerk_here": make.staff("clerk", None, here_hall),
        "clerk_elsewhere": make.staff("clerk", None, there_hall),
        "hall_admin_here": make.staff("admin", None, here_hall),
        "hall_admin_elsewhere": make.staff("admin", None, there_hall),
        "approver_here": make.staff("approver", department, None),
        "approver_elsewhere": make.staff("approver", other_department, None),
        "dept_admin_here": make.staff("admin", department, None),
        "dept_admin_elsewhere": make.staff("admin", other_department, None),
        "platform_admin": make.staff("admin", None, None),
        "clerk_with_department": make.staff("clerk", department, here_hall),
        "approver_with_hall": make.staff("approver", department, here_hall),
        "hall_admin_with_department": make.staff("admin", department, here_hall),
    }


def headers_of(make, people: dict) -> dict:
    """Bearer headers per kind, and none for the anonymous kind."""
    headers = {kind: make.headers(principal) for kind, principal in people.items()}
    headers["anonymous"] = {}
    return headers


def order_for(expected: dict) -> list[str]:
    """Refused principals first: a refused request must change nothing, so
    the object is still as built when the granted principals come."""
    return sorted(KINDS, key=lambda kind: expected[kind] == "ok")


def check_row(client, method: str, path: str, expected: dict, headers_for, body=None, query=None,
              prepare=None) -> list[str]:
    """Every principal kind against one operation; returns the mismatches.

    `prepare(kind, granted)`, when given, answers (path, request kwargs) for
    that principal: a runner gives a granted principal an object of its own
    when the operation moves the object out of the next one's reach."""
    mismatches = []
    for kind in order_for(expected):
        want = expected[kind]
        headers = headers_for(kind)
        target, kwargs = path, {"json": body, "query_string": query}
        if prepare is not None:
            target, kwargs = prepare(kind, want == "ok")
        response = client.open(target, method=method, headers=headers, **kwargs)
        got = response.status_code
        if want == "ok":
            if got in REFUSALS or got >= 500:
                mismatches.append(f"{method} {target} as {kind}: {got} {_code(response)}, expected access")
        elif got != want:
            mismatches.append(f"{method} {target} as {kind}: {got} {_code(response)}, expected {want}")
    return mismatches


def _code(response) -> str:
    try:
        return (response.get_json(silent=True) or {}).get("code", "")
    except Exception:  # a file answer
        return ""
