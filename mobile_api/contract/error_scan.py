"""Which error codes can a view answer? Read from the code itself.

A view's documented error codes are not written by hand next to the view:
they are found by reading the view, the decorators around it and every
project function it calls (transitively), and collecting each `DomainError`
subclass that is constructed there, with the `code=`/`status=` it is given.
So the list in the OpenAPI document and in docs/errors.md comes from the same
classes the answers come from.

A call through an object (`verifier.submit(...)`) is followed to the project
methods of that name when at most MAX_IMPLEMENTATIONS project classes define
it (the implementations of one interface, say) and no common library object
answers that name (`g.get`, `session.add`); other
calls through objects cannot be followed statically, so a view names what it
raises through them with `@raises(...)` (mobile_api.contract.declare). The
contract test (every response of the API suite validated against the
document) fails on any code left out.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import inspect
import textwrap
import types
from dataclasses import dataclass

from ..errors import DomainError
from ..modules import DOMAIN_PACKAGES, present_packages

PROJECT_MODULES = ("mobile_api",) + DOMAIN_PACKAGES


@dataclass(frozen=True)
class ErrorCode:
    code: str
    status: int
    title: str


_cache: dict[types.CodeType, frozenset[ErrorCode]] = {}
_methods: dict[str, list] | None = None


def import_project_modules() -> None:
    """Import every module of the project packages, so that what is found
    does not depend on what happened to be imported before."""
    import pkgutil

    present = set(present_packages())
    for top in PROJECT_MODULES:
        if top != "mobile_api" and top not in present:
            continue  # a domain package this deployment does not have
        package = importlib.import_module(top)
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{top}."):
            if ".migrations" not in info.name and not info.name.endswith("__main__"):
                importlib.import_module(info.name)


def _project_classes():
    import sys

    import_project_modules()
    for name, module in list(sys.modules.items()):
        if module is None or name.split(".")[0] not in PROJECT_MODULES:
            continue
        for value in list(vars(module).values()):
            if isinstance(value, type) and value.__module__ == name:
                yield value


MAX_IMPLEMENTATIONS = 4


def _library_method_names() -> frozenset[str]:
    """Names that objects from the standard library, SQLAlchemy, Redis and Flask
    answer too (`g.get`, `session.add`, `redis.set`): a call by such a name is
    most likely theirs, so it is not followed into a project class."""
    from datetime import datetime

    import redis
    from flask import Flask, Request, Response
    from sqlalchemy.orm import Session

    names: set[str] = set()
    for kind in (dict, list, set, str, bytes, datetime, Session, redis.Redis, Flask, Request, Response):
        names.update(dir(kind))
    return frozenset(names)


_LIBRARY_NAMES = _library_method_names()


def _methods_named(name: str) -> list:
    """The project methods `name`, if few classes define it (see the module docstring)."""
    global _methods
    if _methods is None:
        index: dict[str, set] = {}
        for cls in _project_classes():
            for attr, value in vars(cls).items():
                if isinstance(value, (staticmethod, classmethod)):
                    value = value.__func__
                if isinstance(value, types.FunctionType) and not attr.startswith("__"):
                    index.setdefault(attr, set()).add(value)
        _methods = {attr: list(funcs) for attr, funcs in index.items()}
    if name in _LIBRARY_NAMES:
        return []
    candidates = _methods.get(name, [])
    return candidates if len(candidates) <= MAX_IMPLEMENTATIONS else []


def _is_project_function(obj) -> bool:
    return (isinstance(obj, types.FunctionType)
            and (obj.__module__ or "").split(".")[0] in PROJECT_MODULES)


def _is_error_class(obj) -> bool:
    return isinstance(obj, type) and issubclass(obj, DomainError)


def _resolve(node: ast.expr, namespace: dict):
    """`name` or `module.attr.attr` to the object it names, or None."""
    if isinstance(node, ast.Name):
        if node.id in namespace:
            return namespace[node.id]
        return None
    if isinstance(node, ast.Attribute):
        base = _resolve(node.value, namespace)
        if isinstance(base, (types.ModuleType, type)):
            return getattr(base, node.attr, None)
    return None


def _constant_kwarg(call: ast.Call, name: str):
    for keyword in call.keywords:
        if keyword.arg == name and isinstance(keyword.value, ast.Constant):
            return keyword.value.value
    return None


def _namespace(func: types.FunctionType) -> dict:
    # Globals only: a decorator's closure holds the view it wraps, and one
    # wrapper's code serves every view it decorates, so following the closure
    # would give every view the first one's codes (each layer is read on its own).
    return dict(func.__globals__)


def _add_local_imports(tree: ast.AST, namespace: dict, package: str) -> None:
    """`from x import y` inside a function (to avoid an import cycle) still names y."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom) or not node.module:
            continue
        name = "." * node.level + node.module
        absolute = importlib.util.resolve_name(name, package) if node.level else name
        if absolute.split(".")[0] in PROJECT_MODULES:
            module = importlib.import_module(absolute)
            for alias in node.names:
                if hasattr(module, alias.name):
                    namespace[alias.asname or alias.name] = getattr(module, alias.name)


def _code_of(cls: type[DomainError], call: ast.Call | None) -> ErrorCode:
    code = (_constant_kwarg(call, "code") if call is not None else None) or cls.code
    status = (_constant_kwarg(call, "status") if call is not None else None) or cls.status
    return ErrorCode(code, status, cls.title)


def codes_of_function(func: types.FunctionType, _visiting: set | None = None) -> frozenset[ErrorCode]:
    """Every error code `func` or a project function it calls may raise."""
    code_object = func.__code__
    if code_object in _cache:
        return _cache[code_object]
    visiting = _visiting if _visiting is not None else set()
    if code_object in visiting:
        return frozenset()
    visiting.add(code_object)
    try:
        # The code object's source, not the function's: inspect would follow a
        # decorator's __wrapped__ to the view and never read the wrapper itself.
        tree = ast.parse(textwrap.dedent(inspect.getsource(func.__code__)))
    except (OSError, TypeError, SyntaxError):
        return frozenset()
    namespace = _namespace(func)
    _add_local_imports(tree, namespace, func.__globals__.get("__package__") or "")
    found: set[ErrorCode] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise) and node.exc is not None and not isinstance(node.exc, ast.Call):
            target = _resolve(node.exc, namespace)
            if _is_error_class(target):
                found.add(_code_of(target, None))
        if not isinstance(node, ast.Call):
            continue
        target = _resolve(node.func, namespace)
        if _is_error_class(target):
            found.add(_code_of(target, node))
        elif _is_project_function(target):
            found |= codes_of_function(inspect.unwrap(target), visiting)
        elif target is None and isinstance(node.func, ast.Attribute):
            for method in _methods_named(node.func.attr):
                found |= codes_of_function(inspect.unwrap(method), visiting)
    # A cycle of project functions may leave a member's set short of its
    # callers' codes; the contract test would name the code that is missing.
    result = frozenset(found)
    _cache[code_object] = result
    return result


def codes_of_view(view) -> frozenset[ErrorCode]:
    """The codes of a view, of each decorator wrapped around it, and those it declares with `@raises`."""
    found: set[ErrorCode] = set()
    layer = view
    while layer is not None:
        if _is_project_function(layer):  # webargs' and flask-smorest's wrappers: the shell's generic codes
            found |= codes_of_function(layer)
        layer = getattr(layer, "__wrapped__", None)
    for cls in getattr(view, "_declared_errors", ()):
        found.add(_code_of(cls, None))
    return frozenset(found)
