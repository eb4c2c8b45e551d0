"""What a staff notice says. `staff.notify` payloads are
`{"event", "data", and who: "staff_ids" | "department_code" | "hall_id"}`;
each known event has a title and a line of text built from its data, an
unknown event still arrives with a generic text (a producer may be newer
than this table)."""

from __future__ import annotations

from datetime import date, datetime

from mobile_api.clock import LOCAL_TZ

# event -> (title, text template over the data's keys)
EVENTS: dict[str, tuple[str, str]] = {
    "case_urged": ("催办", "诉求 #{case_id} 已超过答复期限（{reply_due_at}），请尽快答复。"),
    "case_dispatched": ("新派单", "诉求 #{case_id}（{kind_text}）已派至本部门，请在 {reply_due_at} 前答复。"),
    "application_warning": ("电子监察黄牌", "{item_name}（申请 #{application_id}）将于 {promised_due_date} 到期，请抓紧办理。"),
    "application_overdue": ("电子监察红牌", "{item_name}（申请 #{application_id}）已超过承诺时限 {promised_due_date}。"),
    "rectification_opened": ("差评整改", "收到一条差评（整改单 #{rectification_id}），请在 {callback_due_at} 前回访、"
                                      "{due_at} 前完成整改。"),
    "rectification_overdue": ("整改超期", "差评整改单 #{rectification_id} 已超过整改期限 {due_at}。"),
    "waiting_warning": ("等候超时", "{hall_name} {number} 号已等候 {waited_minutes} 分钟，超过 {limit_minutes} 分钟的"
                                   "预警线。"),
}
EVENT_KINDS = tuple(EVENTS)


class _Missing(dict):
    def __missing__(self, key):
        return "—"


def _show(value):
    """ISO timestamps and dates as Beijing local time, the way staff read them."""
    if isinstance(value, str) and len(value) >= 10 and value[4:5] == "-" and value[7:8] == "-":
        try:
            if len(value) == 10:
                return date.fromisoformat(value).isoformat()
            moment = datetime.fromisoformat(value)
            if moment.tzinfo is not None:
                moment = moment.astimezone(LOCAL_TZ)
            return moment.strftime("%Y-%m-%d %H:%M")
        except ValueError:
            return value
    return value


def render(event: str, data: dict) -> tuple[str, str]:
    """(title, text) of a notice."""
    shown = _Missing({key: _show(value) for key, value in (data or {}).items()})
    if event in EVENTS:
        title, template = EVENTS[event]
        return title, template.format_map(shown)
    details = "，".join(f"{key}: {_show(value)}" for key, value in sorted((data or {}).items())[:6])
    return "工作通知", f"{event}{'：' + details if details else ''}"


def message_text(title: str, body: str, link: str | None) -> str:
    text = f"【{title}】{body}"
    if link:
        text += f"\n站内信箱：{link}"
    # WeCom cuts text content at 2,048 bytes; cut on a character boundary ourselves.
    return text.encode("utf-8")[:2048].decode("utf-8", errors="ignore")
