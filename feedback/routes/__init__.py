"""feedback's HTTP blueprints and the helpers their thin views share."""

from flask import current_app

from ..rules import Rules
from ..storage import ContentStore


def session():
    return current_app.extensions["db"].session


def clock():
    return current_app.extensions["clock"]


def rules() -> Rules:
    return Rules.from_config(current_app.config)


def store() -> ContentStore:
    return ContentStore(current_app.config["FEEDBACK_STORAGE_DIR"])
