"""The catalogue's settings, with their defaults."""

from mobile_api.settings import Setting

SETTINGS = [
    Setting("GUIDES_INDEX_CHECK_SECONDS", 1.0, float,
            "每个进程最多每隔多少秒检查一次目录版本号，变化时重建内存中的搜索索引"),
]
SETTINGS += [
    Setting("GUIDES_UNMET_PER_CLIENT_PER_HOUR", 30, int,
            "每个客户端每小时最多记入多少条无结果查询（防止单个客户端刷满统计）"),
    Setting("GUIDES_UNMET_RETENTION_DAYS", 180, int, "无结果查询统计保留天数，过期的每天清除一次"),
]
