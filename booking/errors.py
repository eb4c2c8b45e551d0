"""预约取号 errors: each a stable code, a Chinese message, mapped to problem+json by the shell."""

from __future__ import annotations

from mobile_api.errors import Conflict, Forbidden, NotFound, Unprocessable


class HallNotFound(NotFound):
    code = "booking.hall_not_found"
    title = "服务大厅不存在"


class WindowNotFound(NotFound):
    code = "booking.window_not_found"
    title = "窗口不存在"


class AppointmentNotFound(NotFound):
    code = "booking.appointment_not_found"
    title = "预约不存在"


class TicketNotFound(NotFound):
    code = "booking.ticket_not_found"
    title = "排队号不存在"


class ItemNotHandled(Unprocessable):
    code = "booking.item_not_handled"
    title = "该大厅不办理此事项"


class ItemNotBookable(Unprocessable):
    code = "booking.item_not_bookable"
    title = "该事项不支持预约"


class DateInPast(Unprocessable):
    code = "booking.date_in_past"
    title = "日期已过"


class BeyondHorizon(Unprocessable):
    code = "booking.beyond_horizon"
    title = "超出可预约范围"


class HallClosed(Unprocessable):
    code = "booking.hall_closed"
    title = "大厅当天不办公"


class OutsideOpeningHours(Conflict):
    code = "booking.outside_opening_hours"
    title = "不在大厅办公时间内"


class NoSuchSlot(Unprocessable):
    code = "booking.no_such_slot"
    title = "没有这个时段"


class TooShortNotice(Unprocessable):
    code = "booking.too_short_notice"
    title = "预约时间过近"


class SlotFull(Conflict):
    code = "booking.slot_full"
    title = "号源已满"


class DuplicateAppointment(Conflict):
    code = "booking.duplicate_appointment"
    title = "当天已预约该事项"


class TooManyAppointments(Conflict):
    code = "booking.too_many_appointments"
    title = "有效预约数已达上限"


class BookingBlocked(Forbidden):
    code = "booking.blocked_no_show"
    title = "因多次爽约暂停预约"


class NotCancellable(Conflict):
    code = "booking.not_cancellable"
    title = "预约当前不能取消或改约"


class CancelCutoffPassed(Conflict):
    code = "booking.cancel_cutoff_passed"
    title = "已过取消截止时间"


class QrInvalid(Unprocessable):
    code = "booking.qr_invalid"
    title = "签到码无效"


class QrUsed(Conflict):
    code = "booking.qr_used"
    title = "签到码已失效"


class CheckInTooEarly(Conflict):
    code = "booking.check_in_too_early"
    title = "尚未到签到时间"


class CheckInTooLate(Conflict):
    code = "booking.check_in_too_late"
    title = "已过签到时间"


class TooFarFromHall(Unprocessable):
    code = "booking.too_far_from_hall"
    title = "距离大厅过远"


class WrongHall(Forbidden):
    code = "booking.wrong_hall"
    title = "不是本大厅的业务"


class TicketStateConflict(Conflict):
    code = "booking.ticket_state"
    title = "排队号当前状态不允许此操作"


class NothingToCall(Conflict):
    code = "booking.queue_empty"
    title = "没有等候的号"


class SkipTooEarly(Conflict):
    code = "booking.skip_too_early"
    title = "叫号次数不足，不能过号"


class RequeueUsed(Conflict):
    code = "booking.requeue_used"
    title = "已重新排过一次队"


class InvalidPriority(Unprocessable):
    code = "booking.invalid_priority"
    title = "绿色通道信息不正确"


class SetupInvalid(Unprocessable):
    code = "booking.setup_invalid"
    title = "大厅设置不正确"


class SetupConflict(Conflict):
    code = "booking.setup_conflict"
    title = "大厅设置冲突"


class QueueNotFound(NotFound):
    code = "booking.no_such_queue"
    title = "队列不存在"


class SessionNotFound(NotFound):
    code = "booking.session_not_found"
    title = "柜台会话不存在"


class NoOpenSession(Conflict):
    code = "booking.session_required"
    title = "尚未在该窗口开始柜台会话"


class NoCurrentSession(NotFound):
    code = "booking.no_session"
    title = "尚未开始柜台会话"


class NotYourSession(Forbidden):
    code = "booking.not_your_session"
    title = "不是本人的柜台会话"


class WindowTaken(Conflict):
    code = "booking.window_taken"
    title = "窗口已有工作人员"


class SessionAlreadyOpen(Conflict):
    code = "booking.session_open"
    title = "已在其他窗口开始柜台会话"


class SessionStateConflict(Conflict):
    code = "booking.session_state"
    title = "柜台会话当前状态不允许此操作"


class WindowBusy(Conflict):
    code = "booking.window_busy"
    title = "本窗口仍有在办的号"
