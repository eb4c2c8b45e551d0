"""Runs rows of the access matrix against the real app (see matrix.py)."""

from __future__ import annotations

from tests.access.matrix import KINDS

REFUSALS = (401, 403, 404)


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
