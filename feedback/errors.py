"""feedback's domain errors; every code starts with "feedback."."""

from mobile_api.errors import Conflict, Forbidden, NotFound, Unprocessable


class CaseNotFound(NotFound):
    code = "feedback.case_not_found"
    title = "诉求不存在"


class CaseStateConflict(Conflict):
    code = "feedback.case_state_conflict"
    title = "诉求当前状态不允许此操作"


class InvalidCase(Unprocessable):
    code = "feedback.invalid_case"
    title = "诉求内容不正确"


class NotDispatcher(Forbidden):
    code = "feedback.not_dispatcher"
    title = "仅 12345 派单员可执行此操作"


class NotAppealJudge(Forbidden):
    code = "feedback.not_platform_admin"
    title = "仅平台管理员可裁定申诉"


class ExtensionRefused(Conflict):
    code = "feedback.extension_refused"
    title = "不能申请延期"


class UploadInvalid(Unprocessable):
    code = "feedback.upload_invalid"
    title = "照片不正确"


class UploadNotFound(NotFound):
    code = "feedback.upload_not_found"
    title = "照片不存在"


class EventNotFound(NotFound):
    code = "feedback.event_not_found"
    title = "被评价的服务不存在"


class EventNotRatable(Unprocessable):
    code = "feedback.event_not_ratable"
    title = "该服务当前不能评价"


class AlreadyRated(Conflict):
    code = "feedback.already_rated"
    title = "该服务已评价过（一事一评）"


class InvalidRating(Unprocessable):
    code = "feedback.invalid_rating"
    title = "评价内容不正确"


class RatingNotFound(NotFound):
    code = "feedback.rating_not_found"
    title = "评价不存在"


class RectificationNotFound(NotFound):
    code = "feedback.rectification_not_found"
    title = "整改单不存在"


class RectificationStateConflict(Conflict):
    code = "feedback.rectification_state_conflict"
    title = "整改单当前状态不允许此操作"
