"""WeChat settings. Development and tests talk to the in-process stand-in with
fixed, non-secret stand-in ids; production must name the real ones and may
not enable the stand-in."""

from __future__ import annotations

from mobile_api.settings import Setting, parse_bool

# The stand-in answers under this base URL inside the process (a requests
# transport adapter); nothing is listening there and nothing leaves the host.
STANDIN_BASE_URL = "http://wechat-standin.local/"
REAL_BASE_URL = "https://api.weixin.qq.com/"

EVENTS = ("booking_confirmed", "booking_reminder", "called_to_window", "application_status_changed",
          "case_replied", "rating_invitation", "queue_position_reached", "booking_cancelled")


def template_setting(event: str) -> str:
    return f"WECHAT_TEMPLATE_{event.upper()}"


def _parse_auto_bool(raw: str):
    return None if raw.strip().lower() == "auto" else parse_bool(raw)


SETTINGS = [
    Setting("WECHAT_API_BASE_URL", "", str,
            "微信接口根地址（以 / 结尾）。留空：开发/测试用本地替身，生产用 https://api.weixin.qq.com/"),
    Setting("WECHAT_STANDIN_ENABLED", None, _parse_auto_bool,
            "启用进程内微信替身（auto/空：开发与测试启用；生产环境启用则拒绝启动）"),
    Setting("WECHAT_TIMEOUT_SECONDS", 5, float, "每次调用微信接口的超时（秒）"),
    Setting("WECHAT_MINIPROGRAM_APPID", "wxstandin0miniprog", str, "小程序 appid", production_required=True),
    Setting("WECHAT_MINIPROGRAM_SECRET", "standin-miniprogram-secret", str, "小程序 secret",
            production_required=True),
    Setting("WECHAT_APP_APPID", "wxstandin0000cityapp", str, "城市 APP 的开放平台移动应用 appid",
            production_required=True),
    Setting("WECHAT_APP_SECRET", "standin-city-app-secret", str, "城市 APP 的开放平台 secret",
            production_required=True),
    Setting("WECHAT_SESSION_KEY_TTL_SECONDS", 2 * 24 * 3600, int, "服务端保存的 session_key 有效期（秒）"),
    Setting("WECHAT_LOGIN_RATELIMIT_IP", "30 per minute", str, "微信登录：每个 IP 的频率上限"),
    Setting("WECHAT_LOGIN_RATELIMIT_CODE", "3 per 10 minutes", str, "微信登录：同一个 code 的频率上限"),
    Setting("WECHAT_SUBSCRIBE_PAGE", "pages/index/index", str, "订阅消息点开后进入的小程序页面（事件数据可覆盖）"),
    Setting("WECHAT_SUBSCRIBE_STATE", "formal", str, "订阅消息跳转的小程序版本：formal / trial / developer"),
    Setting("WECHAT_DELIVER_AFTER_COMMIT", None, _parse_auto_bool,
            "提交后立即投递订阅消息（auto/空：仅开发环境；生产由 flask outbox work 投递）"),
    Setting("WECHAT_FACE_VERIFY_TTL_SECONDS", 3600, int, "微信人脸核身 verify_id 的有效期（秒）"),
] + [
    Setting(template_setting(event), f"standin-tmpl-{event.replace('_', '-')}", str,
            f"订阅消息模板 id：{event}", production_required=True)
    for event in EVENTS
]


def templates_by_event(config) -> dict[str, str]:
    return {event: config[template_setting(event)] for event in EVENTS}
