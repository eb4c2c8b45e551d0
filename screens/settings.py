"""Hall screens settings (live events, board and console pages)."""

from __future__ import annotations

from mobile_api.settings import Setting

SETTINGS = [
    Setting("SCREENS_STREAM_TOKEN_SECONDS", 600, int,
            "大屏/窗口事件流令牌有效期（秒）；过期后页面用设备密钥或登录令牌重新换取"),
    Setting("SCREENS_HEARTBEAT_SECONDS", 15, int, "事件流心跳间隔（秒），防止代理断开空闲连接"),
    Setting("SCREENS_STREAM_MAX_SECONDS", 600, int,
            "单条事件流的最长时长（秒）；到时服务器结束，客户端带 Last-Event-ID 重连（设备停用在此时限内生效）"),
    Setting("SCREENS_MAX_STREAMS_PER_WORKER", 48, int,
            "每个 web 进程同时保持的事件流上限，须小于 gunicorn 线程数（WEB_THREADS），留出处理普通请求的线程"),
    Setting("SCREENS_EVENT_LOG_LENGTH", 500, int, "每个大厅保留的最近事件条数（Redis stream），用于断线重连补发"),
    Setting("SCREENS_BOARD_LOGIN_LIMIT", "20 per minute", str, "大屏设备用密钥换取令牌的频率上限（每个来源地址）"),
]
