"""Where packages register their periodic rules (from their `init_app`)."""

from __future__ import annotations

from flask import Flask

from .runs import PeriodicRule, RuleFunction
from .schedule import cadence_of


def register_periodic(app: Flask, name: str, fn: RuleFunction, description: str = "") -> PeriodicRule:
    """Register `fn(session, clock, app)` as the periodic rule `name`; its
    cadence is the one in `mobile_api/jobs/schedule.py`."""
    rules = app.extensions.setdefault("periodic_rules", {})
    if name in rules:
        raise ValueError(f"periodic rule {name!r} is registered twice")
    rule = PeriodicRule(name=name, every=cadence_of(name), fn=fn, description=description)
    rules[name] = rule
    return rule


def periodic_rules(app: Flask) -> dict[str, PeriodicRule]:
    return dict(sorted(app.extensions.get("periodic_rules", {}).items()))


def rule_named(app: Flask, name: str) -> PeriodicRule:
    try:
        return app.extensions["periodic_rules"][name]
    except KeyError:
        raise LookupError(f"no periodic rule named {name!r}") from None
