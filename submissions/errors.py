"""Errors of the submissions package; each has a stable code `submissions.<what>`."""

from __future__ import annotations

from mobile_api.errors import Conflict, DomainError, Forbidden, NotFound, Unprocessable


class ApplicationNotFound(NotFound):
    code = "submissions.application_not_found"
    title = "申请不存在"


class FileNotFound(NotFound):
    code = "submissions.file_not_found"
    title = "材料文件不存在"


class CertificateNotFound(NotFound):
    code = "submissions.certificate_not_found"
    title = "电子证照不存在"


class ItemNotAvailable(Unprocessable):
    code = "submissions.item_not_available"
    title = "事项不可申办"


class FormInvalid(Unprocessable):
    code = "submissions.form_invalid"
    title = "申请表填写有误"


class MaterialsIncomplete(Unprocessable):
    code = "submissions.materials_incomplete"
    title = "申请材料不齐全"


class MaterialUnknown(Unprocessable):
    code = "submissions.material_unknown"
    title = "该事项没有这项材料"


class FileRejected(Unprocessable):
    code = "submissions.file_rejected"
    title = "文件不被接受"


class FileTooLarge(DomainError):
    status = 413
    code = "submissions.file_too_large"
    title = "文件过大"


class InvalidTransition(Conflict):
    code = "submissions.invalid_transition"
    title = "当前状态下不能执行此操作"


class ConcurrentChange(Conflict):
    code = "submissions.concurrent_change"
    title = "申请已被他人处理"


class NotEditable(Conflict):
    code = "submissions.not_editable"
    title = "申请当前不可修改"


class StaffForbidden(Forbidden):
    code = "submissions.staff_forbidden"
    title = "无权处理此申请"


class DeliveryInvalid(Unprocessable):
    code = "submissions.delivery_invalid"
    title = "出件方式不正确"

