"""网上申办: applications submitted from a phone, their materials, the review
workflow, deadlines and supervision, electronic certificates (docs/submissions.md)."""

from . import models as _models  # noqa: F401  (tables in Base.metadata)


def init_app(app, api):
    from pathlib import Path

    from mobile_api import hooks as platform_hooks
    from mobile_api.jobs import register_periodic
    from mobile_api.settings import register_settings

    from . import hooks
    from .certificates import build_signer
    from .routes import BLUEPRINTS
    from .settings import SETTINGS
    from .storage import LocalContentStore
    from .supervision_sweep import notify_supervision

    register_settings(app, SETTINGS)
    from config import INSTANCE_DIR

    storage_dir = app.config["SUBMISSIONS_STORAGE_DIR"] or str(Path(INSTANCE_DIR) / "submissions-files")
    app.extensions["submissions_storage"] = LocalContentStore(storage_dir)
    app.extensions["submissions_signer"] = build_signer(app.config, app.config["APP_CONFIG"].ENV_NAME,
                                                        Path(INSTANCE_DIR))
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint)
    platform_hooks.register_served_event_source("application", hooks.served_application)
    platform_hooks.register_citizen_merge_hook("submissions", hooks.merge_citizen)
    platform_hooks.register_citizen_erasure_hook("submissions", hooks.erase_citizen)
    register_periodic(app, "submissions.supervision", notify_supervision, "电子监察: 黄牌预警、红牌超期通知所在部门")
