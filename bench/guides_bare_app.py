"""Baseline for bench.guides_search: a bare Flask app answering the same item
JSON bodies (read from the file named by GUIDES_BENCH_BODIES)."""

import json
import os

from flask import Flask, Response, abort

app = Flask(__name__)
with open(os.environ["GUIDES_BENCH_BODIES"], encoding="utf-8") as handle:
    BODIES = {code: body.encode() for code, body in json.load(handle).items()}


@app.get("/api/v1/guides/items/<code>")
def item(code):
    body = BODIES.get(code)
    if body is None:
        abort(404)
    return Response(body, mimetype="application/json")
