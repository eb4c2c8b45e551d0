"""feedback's settings, with the defaults the issue asks for (documented in
docs/feedback.md). Reply limits are working days in Asia/Shanghai."""

from __future__ import annotations

from config import INSTANCE_DIR
from mobile_api.settings import Setting, parse_bool


def _positive_int(raw: str) -> int:
    value = int(raw)
    if value < 0:
        raise ValueError("must be >= 0")
    return value


SETTINGS = [
    Setting("FEEDBACK_REPLY_DAYS_CONSULTATION", 1, _positive_int, "咨询的答复时限（工作日）"),
    Setting("FEEDBACK_REPLY_DAYS_HELP", 1, _positive_int, "求助的答复时限（工作日）"),
    Setting("FEEDBACK_REPLY_DAYS_COMPLAINT", 5, _positive_int, "投诉的答复时限（工作日）"),
    Setting("FEEDBACK_REPLY_DAYS_SUGGESTION", 5, _positive_int, "建议的答复时限（工作日）"),
    Setting("FEEDBACK_REPLY_DAYS_REPORT", 5, _positive_int, "举报的答复时限（工作日）"),
    Setting("FEEDBACK_MAX_EXTENSION_DAYS", 10, _positive_int, "一次延期最多可申请的工作日数"),
    Setting("FEEDBACK_MAX_EXTENSIONS", 1, _positive_int, "每件诉求最多批准的延期次数"),
    Setting("FEEDBACK_SATISFACTION_DAYS", 7, _positive_int,
            "答复后市民评价满意度的期限（自然日）；逾期未评价的诉求由巡检自动办结"),
    Setting("FEEDBACK_DUPLICATE_WINDOW_HOURS", 24, _positive_int, "同一市民重复提交相同诉求的关联窗口（小时）"),
    Setting("FEEDBACK_UPLOAD_MAX_BYTES", 5 * 1024 * 1024, _positive_int, "单张照片的大小上限（字节）"),
    Setting("FEEDBACK_STORAGE_DIR", str(INSTANCE_DIR / "feedback-files"), str, "照片的内容寻址存储目录"),
    Setting("FEEDBACK_RATING_PERIOD_DAYS", 7, _positive_int, "服务办结后可评价的期限（自然日）"),
    Setting("FEEDBACK_DEFAULT_RATING_ENABLED", False, parse_bool,
            "逾期未评价视为“基本满意”（广东做法），默认关闭"),
    Setting("FEEDBACK_KIOSK_RATING_WINDOW_MINUTES", 10, _positive_int,
            "窗口评价器只能评价本厅刚办结的取号，办结后多少分钟内"),
    Setting("FEEDBACK_CALLBACK_DAYS", 1, _positive_int, "差评回访时限（工作日）"),
    Setting("FEEDBACK_RECTIFICATION_DAYS", 5, _positive_int, "差评整改（整改、解释或申诉）时限（工作日）"),
    Setting("FEEDBACK_PUBLIC_STAFF_NAMES", False, parse_bool,
            "公开的好差评统计可按工作人员分组并显示姓名（本市选择公开时开启），默认关闭"),
    Setting("FEEDBACK_RATELIMIT_SUBMIT", "20 per minute", str, "提交诉求、评价与上传照片的频率上限（每 IP）"),
]

REPLY_DAY_SETTING = {
    "consultation": "FEEDBACK_REPLY_DAYS_CONSULTATION",
    "help": "FEEDBACK_REPLY_DAYS_HELP",
    "complaint": "FEEDBACK_REPLY_DAYS_COMPLAINT",
    "suggestion": "FEEDBACK_REPLY_DAYS_SUGGESTION",
    "report": "FEEDBACK_REPLY_DAYS_REPORT",
}
