"""大厅屏幕: live hall events (server-sent events over Redis pub/sub), the hall
display board and the window console pages, and the board devices' tokens."""


def init_app(app, api):
    from mobile_api.settings import register_settings

    from .pages import pages
    from .routes import blp, make_state
    from .settings import SETTINGS

    register_settings(app, SETTINGS)
    api.register_blueprint(blp)
    app.register_blueprint(pages)
    app.extensions["screens"] = make_state(app)
