"""预约取号 settings, each with its default; override through the environment."""

from __future__ import annotations

from mobile_api.settings import Setting

SETTINGS = [
    Setting("BOOKING_SLOT_MINUTES", 30, int, "时段长度（分钟）"),
    Setting("BOOKING_PLACES_PER_WINDOW", 2, int, "每个窗口每个时段可预约的号源数；时段容量 = 服务该队列的窗口数 × 此值"),
    Setting("BOOKING_HORIZON_WORKING_DAYS", 7, int, "可预约的最远工作日数（今天之后）"),
    Setting("BOOKING_MIN_NOTICE_MINUTES", 120, int, "预约须至少提前的分钟数"),
    Setting("BOOKING_CANCEL_CUTOFF_MINUTES", 60, int, "时段开始前多少分钟之后不能再取消或改约"),
    Setting("BOOKING_MAX_ACTIVE_PER_CITIZEN", 3, int, "每位市民同时有效的预约上限"),
    Setting("BOOKING_NO_SHOW_LIMIT", 3, int, "统计期内爽约达到此次数即暂停预约"),
    Setting("BOOKING_NO_SHOW_WINDOW_DAYS", 90, int, "爽约统计期（天）"),
    Setting("BOOKING_NO_SHOW_BLOCK_DAYS", 30, int, "爽约达限后暂停预约的天数"),
    Setting("BOOKING_CHECKIN_EARLY_MINUTES", 30, int, "最早可在时段开始前多少分钟签到"),
    Setting("BOOKING_CHECKIN_LATE_MINUTES", 15, int, "最晚可在时段开始后多少分钟签到；之后记为爽约"),
    Setting("BOOKING_CHECKIN_RADIUS_METERS", 500, int, "手机签到时须距大厅的最大距离（米）"),
    Setting("BOOKING_ELDERLY_AGE", 60, int, "按实名出生日期自动进入绿色通道的年龄"),
    Setting("BOOKING_PRIORITY_STREAK", 3, int, "公平规则：连续叫号越过最早的普通号不超过此次数"),
    Setting("BOOKING_SKIP_AFTER_CALLS", 3, int, "叫号满此次数仍未到才可过号"),
    Setting("BOOKING_DEFAULT_SERVICE_MINUTES", 10, int, "无近期数据时估算等候用的单笔办理时长（分钟）"),
    Setting("BOOKING_SERVICE_MIN_SAMPLES", 5, int,
            "估算等候按队列实测办理时长（近 7 天最近 20 笔）；样本少于此数时用默认办理时长"),
    Setting("BOOKING_WAITING_WARNING_MINUTES", 60, int,
            "电子监察：排队等候超过此分钟数即向大厅管理员预警（每号一次；0 为关闭）"),
    Setting("BOOKING_QR_KEY", "", str, "预约二维码签名密钥；为空时由 SECRET_KEY 派生"),
]
