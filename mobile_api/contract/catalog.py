"""Every error code of the platform, per package, read from the code: the
DomainError classes, the `code=` given where they are raised, and the codes
the shell answers itself. Rendered into docs/errors.md (`flask contract write`)."""

from __future__ import annotations

import json
import sys
import types
from collections import defaultdict
from pathlib import Path

from ..errors import DomainError
from ..modules import PROJECT_ROOT
from .error_scan import PROJECT_MODULES, ErrorCode, codes_of_function, import_project_modules
from .generic import BAD_REQUEST, CONCURRENT_UPDATE, DATABASE_DOWN, INTERNAL, MALFORMED_JSON, NOT_FOUND, RATE_LIMITED, REDIS_DOWN, \
    VALIDATION

SNAPSHOT_PATH = PROJECT_ROOT / "docs" / "openapi.snapshot.json"
ERRORS_DOC_PATH = PROJECT_ROOT / "docs" / "errors.md"
SHELL_CODES = (BAD_REQUEST, MALFORMED_JSON, VALIDATION, NOT_FOUND, RATE_LIMITED, REDIS_DOWN, DATABASE_DOWN, INTERNAL,
               CONCURRENT_UPDATE,
               ErrorCode("platform.method_not_allowed", 405, "请求方法不允许"))


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _project_functions():
    for name, module in list(sys.modules.items()):
        if module is None or name.split(".")[0] not in PROJECT_MODULES:
            continue
        for value in list(vars(module).values()):
            if isinstance(value, types.FunctionType) and value.__module__ == name:
                yield value
            elif isinstance(value, type) and value.__module__ == name:
                yield from (v for v in vars(value).values() if isinstance(v, types.FunctionType))


def all_codes() -> dict[str, ErrorCode]:
    """code → (status, title). A code raised with several titles or statuses
    is shown once, by a fixed rule (the smallest), so the page is stable."""
    import_project_modules()
    candidates: dict[str, set[ErrorCode]] = defaultdict(set)
    for code in SHELL_CODES:
        candidates[code.code].add(code)
    for cls in _subclasses(DomainError):
        if cls.__module__.split(".")[0] in PROJECT_MODULES:
            candidates[cls.code].add(ErrorCode(cls.code, cls.status, cls.title))
    for function in _project_functions():
        for code in codes_of_function(function):
            candidates[code.code].add(code)
    return {code: min(found, key=lambda c: (c.status, c.title)) for code, found in candidates.items()}


def operations_by_code(spec: dict) -> dict[str, list[str]]:
    used = defaultdict(set)
    for item in spec["paths"].values():
        for operation in item.values():
            if not isinstance(operation, dict) or "operationId" not in operation:
                continue
            for response in operation["responses"].values():
                for entry in response.get("x-error-codes", []):
                    used[entry["code"]].add(operation["operationId"])
    return {code: sorted(ids) for code, ids in used.items()}


def render_errors_doc(spec: dict) -> str:
    codes = all_codes()
    used = operations_by_code(spec)
    by_package = defaultdict(list)
    for code in sorted(codes):
        by_package[code.split(".")[0]].append(codes[code])
    lines = ["# Error codes", "",
             "Generated from the code by `flask contract write`; a test fails when it is out of date.",
             "Every error answer is `application/problem+json` with one of these stable `code`s;",
             "the OpenAPI document lists, per operation and status, the codes it may answer.", ""]
    for package, entries in sorted(by_package.items()):
        lines += [f"## {package}", "", "| code | HTTP | title | operations |", "|---|---|---|---|"]
        for entry in entries:
            ops = used.get(entry.code, [])
            shown = ", ".join(f"`{op}`" for op in ops[:8]) + (f" 等 {len(ops)} 个" if len(ops) > 8 else "")
            lines.append(f"| `{entry.code}` | {entry.status} | {entry.title} | {shown or '—'} |")
        lines.append("")
    return "\n".join(lines)


def render_snapshot(spec: dict) -> str:
    return json.dumps(spec, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def write_files(spec: dict, snapshot: Path = SNAPSHOT_PATH, errors_doc: Path = ERRORS_DOC_PATH) -> None:
    snapshot.write_text(render_snapshot(spec), encoding="utf-8")
    errors_doc.write_text(render_errors_doc(spec), encoding="utf-8")
