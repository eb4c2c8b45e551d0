"""Render the access matrix as docs/access-matrix.md:
`.venv/bin/python -m tests.access.render > docs/access-matrix.md`."""

from __future__ import annotations

from tests.access.matrix import MATRIX, PRINCIPALS


def render() -> str:
    lines = [
        "# Access matrix",
        "",
        "What each kind of principal gets from every operation that names an object in its path.",
        "Generated from `tests/access/matrix.py`, which the tests run against the real app",
        "(`tests/api/booking/test_booking_access_matrix.py`); regenerate with",
        "`.venv/bin/python -m tests.access.render > docs/access-matrix.md`.",
        "The principal kinds are those of `identity/access.py`.",
        "",
        "`ok`: access granted (a 2xx, or an answer about the object's state such as 409/422);",
        "401/403/404 exactly. 404 hides the existence of another person's record.",
        "",
        "| kind | 说明 |",
        "|---|---|",
    ]
    lines += [f"| `{kind}` | {label} |" for kind, label in PRINCIPALS]
    lines += ["", "| operation | " + " | ".join(f"`{kind}`" for kind, _ in PRINCIPALS) + " |",
              "|---|" + "---|" * len(PRINCIPALS)]
    for (method, path), expected in sorted(MATRIX.items(), key=lambda item: (item[0][1], item[0][0])):
        cells = " | ".join(str(expected[kind]) for kind, _ in PRINCIPALS)
        lines.append(f"| `{method} {path}` | {cells} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(render(), end="")
