"""咨询投诉与好差评: 12345-style cases, five-level ratings and their rectification."""


def init_app(app, api):
    from mobile_api import hooks
    from mobile_api.jobs import register_periodic
    from mobile_api.settings import register_settings

    from . import models  # noqa: F401  (tables in Base.metadata)
    from .cli import feedback_cli
    from .routes.cases import blp as cases_blp
    from .routes.ratings import blp as ratings_blp
    from .routes.staff_cases import blp as staff_cases_blp
    from .services.privacy import erase_citizen, merge_citizen
    from .services.served import served_case
    from .settings import SETTINGS
    from .services.sweep import periodic_sweep

    register_settings(app, SETTINGS)
    api.register_blueprint(cases_blp)
    api.register_blueprint(staff_cases_blp)
    api.register_blueprint(ratings_blp)
    app.cli.add_command(feedback_cli)
    register_periodic(app, "feedback.sweep", periodic_sweep, "超期标记、催办、回复后自动办结、默认好评")
    hooks.register_served_event_source("case", served_case)
    hooks.register_citizen_merge_hook("feedback", merge_citizen)
    hooks.register_citizen_erasure_hook("feedback", erase_citizen)
