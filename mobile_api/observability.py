"""Request ids and JSON-lines logging.

Every request gets an id (the client's `X-Request-ID` if it is sane, a new one
otherwise); it is echoed back and appears in every log line of that request.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import datetime, timezone

from flask import Flask, g, has_request_context, request

# A client's X-Request-ID is kept when it matches; any other value is not
# refused (an id only helps find log lines) but replaced by a fresh one.
REQUEST_ID_PATTERN = r"^[A-Za-z0-9._:-]{1,64}$"
_SANE_REQUEST_ID = re.compile(REQUEST_ID_PATTERN)
_ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
log = logging.getLogger("mobile_api.access")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = g.get("request_id") if has_request_context() else None
        return True


class DropServerAccessLines(logging.Filter):
    """The development server (werkzeug) logs every request a second time, in
    colour; our own access line (one per request, with its id) is the one kept."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.name == "werkzeug" and " - - [" in str(record.msg))


def strip_colours(text: str) -> str:
    return _ANSI_ESCAPE.sub("", text)


class JsonFormatter(logging.Formatter):
    _SKIP = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "request_id"}

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": strip_colours(record.getMessage()),
            "request_id": getattr(record, "request_id", None),
        }
        for key, value in vars(record).items():
            if key not in self._SKIP and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(level: str = "INFO", as_json: bool = True) -> None:
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_fingertip", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler._fingertip = True
    handler.addFilter(RequestIdFilter())
    handler.addFilter(DropServerAccessLines())
    handler.setFormatter(JsonFormatter() if as_json else logging.Formatter(
        "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"))
    root.addHandler(handler)
    root.setLevel(level)


def init_app(app: Flask) -> None:
    @app.before_request
    def _assign_request_id():
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if _SANE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        g.started_at = time.perf_counter()

    @app.after_request
    def _echo_request_id(response):
        request_id = g.get("request_id")
        if request_id:
            response.headers["X-Request-ID"] = request_id
        if app.config.get("ACCESS_LOG", True):
            elapsed = (time.perf_counter() - g.get("started_at", time.perf_counter())) * 1000
            log.info("request", extra={"method": request.method, "path": request.path,
                                       "status": response.status_code, "ms": round(elapsed, 2)})
        return response
