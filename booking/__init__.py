"""预约取号: halls, windows, opening calendars, slots, appointments, check-in,
queue tickets and calling."""


def init_app(app, api):
    from mobile_api import hooks
    from mobile_api.cli import register_seeder
    from mobile_api.jobs import register_periodic
    from mobile_api.settings import register_settings

    from .cli import booking_cli
    from .jobs import close_forgotten_sessions, mark_no_shows, register_notice_checks, waiting_warnings
    from .routes import blp
    from .routes_admin import blp as admin_blp
    from .routes_counter import blp as counter_blp
    from .routes_queue import blp as queue_blp
    from .seed import seed_halls
    from .services import citizens
    from .settings import SETTINGS

    register_settings(app, SETTINGS)
    api.register_blueprint(blp)
    api.register_blueprint(queue_blp)
    api.register_blueprint(admin_blp)
    api.register_blueprint(counter_blp)
    register_seeder(app, "booking", seed_halls, order=20, sample=True)
    app.cli.add_command(booking_cli)
    register_periodic(app, "booking.mark_no_shows", mark_no_shows, "过了签到时间的预约记为爽约")
    register_periodic(app, "booking.waiting_warnings", waiting_warnings, "电子监察：排队等候超时向大厅管理员预警")
    register_periodic(app, "booking.close_forgotten_sessions", close_forgotten_sessions,
                      "前一天未结束的柜台会话在当天结束时关闭，窗口上的号回到队列")
    register_notice_checks()
    hooks.register_served_event_source("ticket", citizens.served_event)
    from .metrics import register as register_metrics

    register_metrics(app)
    hooks.register_citizen_merge_hook("booking", citizens.merge_citizen)
    hooks.register_citizen_erasure_hook("booking", citizens.erase_citizen)
