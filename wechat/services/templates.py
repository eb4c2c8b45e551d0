"""How each notification event fills its subscribe-message template.

Other packages put what they know in the outbox payload's `data`; each
template field takes the first of its candidate keys that is present, or a
default, and is cut to WeChat's limits (thing ≤ 20 characters, phrase ≤ 5,
character_string ≤ 32), so a message is never refused for a long hall name.
"""

from __future__ import annotations

from datetime import datetime

from mobile_api.clock import LOCAL_TZ

# event → [(template key, candidate data keys, default)]
FIELDS: dict[str, list[tuple[str, tuple[str, ...], str]]] = {
    "booking_confirmed": [("thing1", ("item_name", "item"), "预约办事"), ("time2", ("time", "starts_at"), "—"),
                          ("thing3", ("hall_name", "hall"), "政务服务中心"),
                          ("character_string4", ("number", "appointment_no", "appointment_id"), "—")],
    "booking_reminder": [("thing1", ("item_name", "item"), "预约办事"), ("time2", ("time", "starts_at"), "—"),
                         ("thing3", ("hall_name", "hall"), "政务服务中心"),
                         ("thing4", ("tip", "remark"), "请按时到达并签到")],
    # booking: a hall closure or a declared holiday cancelled the appointment (booking/services/places.py)
    "booking_cancelled": [("thing1", ("item_name", "item"), "预约办事"), ("time2", ("time", "starts_at"), "—"),
                          ("thing3", ("hall_name", "hall"), "政务服务中心"),
                          ("thing4", ("tip", "remark"), "预约已取消，请改约其他日期")],
    "called_to_window": [("character_string1", ("ticket_no", "number"), "—"),
                         ("thing2", ("window_name", "window"), "办事窗口"),
                         ("thing3", ("hall_name", "hall"), "政务服务中心"),
                         ("thing4", ("tip", "remark"), "请携带材料前往窗口办理")],
    # booking: "you are Nth in line" (booking/services/position_notice.py)
    "queue_position_reached": [("character_string1", ("ticket_no", "number"), "—"),
                               ("number2", ("ahead",), "—"),
                               ("thing3", ("hall_name", "hall"), "政务服务中心"),
                               ("thing4", ("tip", "remark"), "请回到大厅留意叫号")],
    "application_status_changed": [("thing1", ("item_name", "item"), "网上申办"),
                                   ("phrase2", ("status_text", "status"), "有更新"),
                                   ("time3", ("time", "changed_at"), "—"),
                                   ("thing4", ("remark", "tip"), "请进入小程序查看详情")],
    "case_replied": [("thing1", ("title", "subject"), "您的诉求"), ("phrase2", ("status_text", "status"), "已回复"),
                     ("time3", ("time", "replied_at"), "—"), ("thing4", ("summary", "remark"), "请进入小程序查看回复")],
    "rating_invitation": [("thing1", ("item_name", "item"), "政务服务"), ("time2", ("time", "served_at"), "—"),
                          ("thing3", ("tip", "remark"), "邀请您对本次服务进行评价")],
}

_LIMITS = {"thing": 20, "phrase": 5, "character_string": 32, "time": 32, "number": 32, "name": 10}


def _format(key: str, value) -> str:
    if isinstance(value, datetime) or (isinstance(value, str) and key.startswith("time")):
        try:
            moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
            if moment.tzinfo is not None:
                moment = moment.astimezone(LOCAL_TZ)
            value = moment.strftime("%Y-%m-%d %H:%M")
        except ValueError:
            pass
    text = str(value).strip() or "—"
    kind = key.rstrip("0123456789")
    limit = _LIMITS.get(kind, 20)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def template_data(event: str, data: dict) -> dict:
    fields = FIELDS[event]
    filled = {}
    for key, candidates, default in fields:
        value = next((data[c] for c in candidates if data.get(c) not in (None, "")), default)
        filled[key] = {"value": _format(key, value)}
    return filled
