"""Render the access matrix as docs/access-matrix.md:
`.venv/bin/python -m tests.access.render > docs/access-matrix.md`."""

from __future__ import annotations

from tests.access.matrix import FINDINGS, MATRIX, PRINCIPALS


def render() -> str:
    lines = [
        "# Access matrix",
        "",
        "What each kind of principal gets from every operation that names an object in its path.",
        "Generated from `tests/access/matrix.py`, which the tests run against the real app",
        "(`tests/api/booking/test_booking_access_matrix.py`, `tests/api/submissions/test_submissions_access_matrix.py`,",
        "`tests/api/feedback/test_feedback_access_matrix.py`: their docstrings say in which state each row runs);",
        "regenerate with",
        "`.venv/bin/python -m tests.access.render > docs/access-matrix.md`.",
        "The principal kinds are those of `identity/access.py`.",
        "",
        "`ok`: access granted (a 2xx, or an answer about the object's state such as 409/422);",
        "401/403/404 exactly. 404 hides the existence of another person's record.",
        "\"Here\" is the object's hall (a ticket's, the hall that accepted an application, a general-window",
        "rating's) and department (an application's item, a certificate's issuer, the department holding a",
        "case, the rated event's department).",
        "",
        "| kind | 说明 |",
        "|---|---|",
    ]
    lines += [f"| `{kind}` | {label} |" for kind, label in PRINCIPALS]
    lines += ["", "| operation | " + " | ".join(f"`{kind}`" for kind, _ in PRINCIPALS) + " |",
              "|---|" + "---|" * len(PRINCIPALS)]
    for (method, path), expected in sorted(MATRIX.items(), key=lambda item: (item[0][1], item[0][0])):
        cells = " | ".join(str(expected[kind]) for kind, _ in PRINCIPALS)
        mark = " ⚠" if (method, path) in FINDINGS else ""
        lines.append(f"| `{method} {path}`{mark} | {cells} |")
    if FINDINGS:
        lines += ["", "## Open findings (⚠)", "",
                  "The code answers differently from the documented answer above; the row runs as an expected",
                  "failure until the code is fixed.", ""]
        lines += [f"- `{method} {path}`: {text}" for (method, path), text in sorted(FINDINGS.items())]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(render(), end="")
