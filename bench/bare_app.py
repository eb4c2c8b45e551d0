"""The baseline: a bare Flask app answering the same JSON as our health check,
served under the same gunicorn settings."""

from flask import Flask, jsonify

app = Flask(__name__)


@app.get("/api/v1/health")
def health():
    return jsonify(status="ok")
