"""办事指南: the catalogue of service items, departments, themes (一件事),
life events, search and sync."""


def init_app(app, api):
    from mobile_api.cli import register_seeder
    from mobile_api.settings import register_settings

    from .cli import guides_cli
    from .routes import blp
    from .services.loading import seed
    from .settings import SETTINGS

    register_settings(app, SETTINGS)
    api.register_blueprint(blp)
    app.cli.add_command(guides_cli)
    register_seeder(app, "guides", seed, order=10)
