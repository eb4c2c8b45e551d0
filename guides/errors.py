"""The catalogue's domain errors, each with a stable code."""

from mobile_api.errors import Conflict, DomainError, Forbidden, NotFound, Unprocessable


class ItemNotFound(NotFound):
    code = "guides.item_not_found"
    title = "事项不存在"


class VersionNotFound(NotFound):
    code = "guides.version_not_found"
    title = "事项版本不存在"


class ThemeNotFound(NotFound):
    code = "guides.theme_not_found"
    title = "主题不存在"


class DepartmentNotFound(NotFound):
    code = "guides.department_not_found"
    title = "部门不存在"


class NotYourDepartment(Forbidden):
    code = "guides.not_your_department"
    title = "只能管理本部门的事项"


class DraftExists(Conflict):
    code = "guides.draft_exists"
    title = "该事项已有未发布的草稿"


class ItemExists(Conflict):
    code = "guides.item_exists"
    title = "事项编码已存在"


class NotADraft(Conflict):
    code = "guides.not_a_draft"
    title = "只能修改或发布草稿"


class NotPublished(Conflict):
    code = "guides.not_published"
    title = "事项当前未发布"


class RuleViolated(Unprocessable):
    code = "guides.rule_violated"
    title = "事项不符合数据质量规则"


class BadQuery(DomainError):
    status = 400
    code = "guides.bad_query"
    title = "查询条件不正确"


class CatalogueDataError(Exception):
    """The seed files break the format or a rule; the message names the file, item and rule."""
