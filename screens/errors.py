"""Hall screens errors: stable codes, Chinese messages."""

from __future__ import annotations

from mobile_api.errors import Forbidden, ServiceUnavailable, Unauthorized, Unprocessable


class StreamTokenInvalid(Unauthorized):
    code = "screens.stream_token_invalid"
    title = "事件流令牌无效或已过期"


class WrongHall(Forbidden):
    code = "screens.wrong_hall"
    title = "不能查看其他大厅"


class TooManyStreams(ServiceUnavailable):
    code = "screens.too_many_streams"
    title = "事件流连接过多"


class EventsUnavailable(ServiceUnavailable):
    code = "screens.events_unavailable"
    title = "实时事件暂不可用"


class NoticeInvalid(Unprocessable):
    code = "screens.notice_invalid"
    title = "公告内容不符合要求"
