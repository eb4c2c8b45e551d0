"""Wiring of real-name and face checks into the app: routes, hooks, verifiers."""

from __future__ import annotations

from mobile_api import hooks

from . import lifecycle
from .verifier import register_face_verifier


def init_face(app, api) -> None:
    from mobile_api.jobs import register_periodic

    from .config import FaceConfig
    from .local import LocalFaceVerifier
    from .routes import blp

    FaceConfig.from_app_config(app.config)  # a misconfigured setting fails at start, not on a request

    register_face_verifier("local", LocalFaceVerifier.from_app)
    hooks.register_citizen_erasure_hook("identity_face", lifecycle.erase_citizen)
    hooks.register_citizen_merge_hook("identity_face", lifecycle.merge_citizens)
    api.register_blueprint(blp)
    from .cli import face_cli

    app.cli.add_command(face_cli)
    from .retention import periodic_purge

    register_periodic(app, "identity.face_purge", periodic_purge, "删除到期的留存帧、过期帧摘要和挑战")
