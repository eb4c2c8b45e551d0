"""One log line per request: the development server's own (coloured) access
line is dropped, and JSON lines never carry terminal colour codes."""

import json
import logging

from mobile_api.observability import DropServerAccessLines, JsonFormatter


def _record(name, msg, *args):
    return logging.LogRecord(name, logging.INFO, __file__, 1, msg, args, None)


def test_the_servers_access_line_is_dropped_and_its_other_lines_kept():
    drop = DropServerAccessLines()
    access = _record("werkzeug", '127.0.0.1 - - [02/Dec/2026 01:00:00] "\x1b[32mGET /api/v1/health HTTP/1.1\x1b[0m" 200 -')
    assert drop.filter(access) is False
    assert drop.filter(_record("werkzeug", "Running on http://127.0.0.1:5000")) is True
    assert drop.filter(_record("mobile_api.access", "request")) is True


def test_json_lines_carry_no_colour_codes():
    line = JsonFormatter().format(_record("werkzeug", "\x1b[33mPress CTRL+C to quit\x1b[0m"))
    assert "\x1b" not in line and json.loads(line)["msg"] == "Press CTRL+C to quit"
