"""The baseline for bench.submissions_upload: a bare Flask app that receives
the same multipart upload and stores the same bytes on disk, nothing more."""

import os
import uuid
from pathlib import Path

from flask import Flask, jsonify, request

app = Flask(__name__)
app.config["MAX_CONTENT_LENGTH"] = 64 * 1024 * 1024
STORE = Path(os.environ.get("BASELINE_STORE_DIR", "/tmp/baseline-store"))
STORE.mkdir(parents=True, exist_ok=True)


@app.post("/store")
def store():
    saved = []
    for upload in request.files.getlist("file"):
        name = uuid.uuid4().hex
        upload.save(STORE / name)
        saved.append(name)
    return jsonify(saved=saved), 201
