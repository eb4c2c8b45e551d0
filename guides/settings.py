"""The catalogue's settings, with their defaults."""

from mobile_api.settings import Setting

SETTINGS = [
    Setting("GUIDES_INDEX_CHECK_SECONDS", 1.0, float,
            "每个进程最多每隔多少秒检查一次目录版本号，变化时重建内存中的搜索索引"),
]
