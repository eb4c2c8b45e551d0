"""Rules about where things may be written, checked by reading the source.

Transactions end in one place: the unit of work (`mobile_api/uow.py`) commits
or rolls back; services, routes, CLI commands and jobs never do it
themselves. An early commit that a rule needs is a named commit point
(`commit_point("why")`), which this test does not see as a commit.

Optional couplings are explicit: no domain module swallows an ImportError,
so a broken import fails at start instead of silently switching a feature off.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PACKAGES = ("mobile_api", "identity", "wechat", "guides", "booking", "submissions", "feedback", "config")
# The unit of work is where transactions end (with its one-round-trip paths).
TRANSACTION_OWNERS = {Path("mobile_api/uow.py"), Path("mobile_api/pipeline.py")}
# Alembic's migration environment drives its own connection.
TRANSACTION_EXEMPT_DIRS = ("migrations",)
ENDS_TRANSACTION = re.compile(r"\.(commit|rollback)\(\)")


def _sources():
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if any(part in TRANSACTION_EXEMPT_DIRS for part in relative.parts):
                continue
            yield relative, path.read_text(encoding="utf-8")


def test_only_the_unit_of_work_commits_or_rolls_back():
    offenders = []
    for relative, text in _sources():
        if relative in TRANSACTION_OWNERS:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            code = line.split("#", 1)[0]
            if ENDS_TRANSACTION.search(code):
                offenders.append(f"{relative}:{number}: {line.strip()}")
    assert not offenders, "commit()/rollback() outside the unit of work:\n" + "\n".join(offenders)


def test_no_domain_module_swallows_an_import_error():
    offenders = [f"{relative}:{number}" for relative, text in _sources()
                 for number, line in enumerate(text.splitlines(), 1) if "except ImportError" in line]
    assert not offenders, "swallowed ImportError (make the coupling explicit):\n" + "\n".join(offenders)


def test_the_checks_see_what_they_look_for():
    # The patterns above must match the forms they are meant to catch.
    assert ENDS_TRANSACTION.search("        session.commit()")
    assert ENDS_TRANSACTION.search("session.rollback()")
    assert not ENDS_TRANSACTION.search('uow.commit_point("attempt reserved")')
