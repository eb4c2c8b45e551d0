"""身份: citizens, staff and kiosk devices as principals; tokens; real-name data."""


def init_app(app, api):
    from .auth import authenticate_request
    from .cli import kiosk_cli, staff_cli
    from .routes import blp
    from .tokens import TokenService

    app.extensions["tokens"] = TokenService(app.config["APP_CONFIG"], app.extensions["clock"], app.extensions["redis"])
    app.before_request(authenticate_request)
    api.register_blueprint(blp)
    app.cli.add_command(staff_cli)
    app.cli.add_command(kiosk_cli)
