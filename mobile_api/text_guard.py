"""Text no column can hold, refused once at the input layer.

PostgreSQL refuses NUL in any text value, and a lone UTF-16 surrogate
(`"\\ud800"` in JSON decodes to one) cannot be encoded as UTF-8 at all: either
would surface as a server error deep in whichever service first stored or
logged it. So every text a request brings (JSON bodies with their keys, query
strings, form fields, multipart field names and upload filenames, and JSON
carried inside a form field) passes `refuse_unstorable` before a view sees
it; the answer is a 422 `platform.unstorable_text` naming each field.
Upload filenames are also refused with any other control character: a name
is shown to staff and sent back in headers, and no real file is named so.
"""

from __future__ import annotations

import re

from flask import Request

from .errors import DomainError

NUL_MESSAGE = "不能包含 NUL 字符"
SURROGATE_MESSAGE = "不能包含孤立的 UTF-16 代理字符（\\ud800–\\udfff）"
CONTROL_MESSAGE = "文件名不能包含控制字符"

_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


class UnstorableText(DomainError):
    status = 422
    code = "platform.unstorable_text"
    title = "请求内容含有无法保存的字符"


def text_problem(text: str) -> str | None:
    """Why this text cannot be stored, or None."""
    if "\x00" in text:
        return NUL_MESSAGE
    if _SURROGATE.search(text):
        return SURROGATE_MESSAGE
    return None


def filename_problem(name: str | None) -> str | None:
    """Why an upload's filename is refused, or None (no name is fine)."""
    if not name:
        return None
    if _SURROGATE.search(name):
        return SURROGATE_MESSAGE
    return CONTROL_MESSAGE if _CONTROL.search(name) else None


def _shown(name: str) -> str:
    # A field is named in the answer, which is UTF-8 JSON: the name itself
    # may hold what we refuse.
    return _CONTROL.sub("\ufffd", _SURROGATE.sub("\ufffd", name))


def unstorable_fields(value, path: str = "") -> dict[str, str]:
    """{field path: message} for every text in a decoded JSON value (object
    keys included) that cannot be stored."""
    if isinstance(value, str):
        problem = text_problem(value)
        return {path or "_schema": problem} if problem else {}
    found: dict[str, str] = {}
    if isinstance(value, dict):
        for key, item in value.items():
            key = str(key)
            child = f"{path}.{_shown(key)}" if path else _shown(key)
            problem = text_problem(key)
            if problem:
                found[child] = problem
            found.update(unstorable_fields(item, child))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.update(unstorable_fields(item, f"{path}.{index}" if path else str(index)))
    return found


def raise_for(found: dict[str, str]) -> None:
    if found:
        names = "、".join(sorted(found))
        raise UnstorableText(f"请求内容含有无法保存的字符（字段：{names}），请删除后重试",
                             errors={name: [message] for name, message in sorted(found.items())})


def refuse_unstorable(value, path: str = "") -> None:
    """422 `platform.unstorable_text` if any text in `value` cannot be stored."""
    raise_for(unstorable_fields(value, path))


def refuse_unstorable_pairs(pairs) -> None:
    """The same for (name, value) pairs such as a query string or form fields."""
    found: dict[str, str] = {}
    for name, value in pairs:
        problem = text_problem(name) or text_problem(value)
        if problem:
            found[_shown(name) or "_schema"] = problem
    raise_for(found)


class CheckedRequest(Request):
    """Form fields and multipart uploads are checked where werkzeug parses
    them, so whichever view (or schema) first reads `request.form` or
    `request.files` never sees an unstorable name, value or filename, and the
    view's own body limits still apply to the parse."""

    def _load_form_data(self) -> None:
        super()._load_form_data()
        found: dict[str, str] = {}
        for name, value in self.form.items(multi=True):
            problem = text_problem(name) or text_problem(value)
            if problem:
                found[_shown(name) or "_schema"] = problem
        for name, upload in self.files.items(multi=True):
            problem = text_problem(name) or filename_problem(upload.filename)
            if problem:
                found[_shown(name) or "_schema"] = problem
        raise_for(found)
