"""Runs rows of the access matrix against the real app (see matrix.py)."""

from __future__ import annotations

from tests.access.matrix import KINDS

REFUSALS = (401, 403, 404)


def order_for(expected: dict) -> list[str]:
    """Refused principals first: a refused request must change nothing, so
    the object is still as built when the granted principals come."""
    return sorted(KINDS, key=lambda kind: expected[kind] == "ok")


def check_row(client, method: str, path: str, expected: dict, headers_for, body=None, query=None) -> list[str]:
    """Every principal kind against one operation; returns the mismatches."""
    mismatches = []
    for kind in order_for(expected):
        response = client.open(path, method=method, headers=headers_for(kind), json=body,
                               query_string=query)
        want, got = expected[kind], response.status_code
        if want == "ok":
            if got in REFUSALS or got >= 500:
                mismatches.append(f"{method} {path} as {kind}: {got} {_code(response)}, expected access")
        elif got != want:
            mismatches.append(f"{method} {path} as {kind}: {got} {_code(response)}, expected {want}")
    return mismatches


def _code(response) -> str:
    try:
        return (response.get_json(silent=True) or {}).get("code", "")
    except Exception:  # a file answer
        return ""
