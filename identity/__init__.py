"""身份: citizens, staff and kiosk devices as principals; tokens; real-name data;
face checks (see docs/identity-face.md)."""

from . import real_name_models as _real_name_models  # noqa: F401  (tables in Base.metadata)
from .face import models as _face_models  # noqa: F401


def init_app(app, api):
    from mobile_api.settings import register_settings

    from .auth import authenticate_request
    from .cli import board_cli, kiosk_cli, staff_cli
    from mobile_api.demo import demo_cli

    from .face import demo as face_demo
    from .face.setup import init_face
    from .admin_routes import blp as admin_blp
    from .routes import blp
    from .settings import SETTINGS
    from .tokens import TokenService

    register_settings(app, SETTINGS)
    app.extensions["tokens"] = TokenService(app.config["APP_CONFIG"], app.extensions["clock"], app.extensions["redis"],
                                             app.extensions["db"])
    app.before_request(authenticate_request)
    api.register_blueprint(blp)
    api.register_blueprint(admin_blp)
    app.cli.add_command(staff_cli)
    app.cli.add_command(kiosk_cli)
    app.cli.add_command(board_cli)
    init_face(app, api)
    face_demo.register(demo_cli)
