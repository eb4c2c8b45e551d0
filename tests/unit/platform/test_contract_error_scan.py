"""The error-code scanner reads what a view can raise from its code."""

from functools import wraps

from mobile_api.contract import raises
from mobile_api.contract import error_scan
from mobile_api.contract.error_scan import codes_of_view
from mobile_api.contract.operations import operation_id
from mobile_api.errors import Conflict, NotFound


class SlotGone(Conflict):
    code = "test.slot_gone"
    title = "号源没了"


class Hidden(NotFound):
    code = "test.hidden"
    title = "看不见的"


def _service(flag):
    if flag:
        raise SlotGone("没了")
    raise Conflict("冲突", code="test.overridden", status=409)


def _decorator(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        raise NotFound("不在")

    return wrapper


@_decorator
@raises(Hidden)
def _view(flag):
    return _service(flag)


def test_raises_are_found_through_calls_decorators_and_declarations(monkeypatch):
    monkeypatch.setattr(error_scan, "PROJECT_MODULES", error_scan.PROJECT_MODULES + ("tests",))
    found = {(c.code, c.status) for c in codes_of_view(_view)}
    assert found == {("test.slot_gone", 409), ("test.overridden", 409), ("platform.not_found", 404),
                     ("test.hidden", 404)}


def test_operation_ids_come_from_blueprint_and_view_names():
    assert operation_id("booking.create_appointment", "post", 1) == "booking_createAppointment"
    assert operation_id("feedback_cases.submit_case", "post", 1) == "feedback_cases_submitCase"
    assert operation_id("audit.entries", "get", 2) == "audit_entriesGet"
