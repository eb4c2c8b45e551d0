"""Who may work a counter session and who may oversee it (no database), and
how the "Nth in line" event fills its subscribe template."""

from booking.models import CounterSession
from booking.services.counter import is_session_clerk, oversees
from mobile_api.actor import Actor
from wechat.services.templates import template_data

SESSION = CounterSession(id=1, hall_id=7, window_id=3, staff_id=50, status="open")


def staff(staff_id, role="clerk", hall_id=7, department_code=None):
    return Actor(kind="staff", id=staff_id, role=role, hall_id=hall_id, department_code=department_code)


def test_only_its_clerk_works_the_session():
    assert is_session_clerk(staff(50), SESSION)
    assert is_session_clerk(staff(50, department_code="gongan"), SESSION)  # a clerk with a department is a clerk
    assert not is_session_clerk(staff(51), SESSION)  # another clerk of the hall
    assert not is_session_clerk(staff(50, role="admin"), SESSION)  # the same id as another kind of principal
    assert not is_session_clerk(Actor(kind="citizen", id=50, role="citizen"), SESSION)
    assert not is_session_clerk(Actor(kind="kiosk", id=50, role="kiosk", hall_id=7), SESSION)


def test_the_hall_admin_and_the_platform_admin_oversee_it():
    assert oversees(staff(50), SESSION)
    assert oversees(staff(60, role="admin"), SESSION)  # hall admin of hall 7
    assert oversees(staff(61, role="admin", hall_id=None), SESSION)  # platform admin
    assert not oversees(staff(62, role="admin", hall_id=8), SESSION)  # another hall's admin
    assert not oversees(staff(63, role="admin", hall_id=None, department_code="gongan"), SESSION)
    assert not oversees(staff(51), SESSION)
    assert not oversees(staff(64, role="approver", department_code="gongan"), SESSION)


def test_the_nth_in_line_template_fills_within_wechat_limits():
    filled = template_data("queue_position_reached", {"number": "A012", "ahead": 5,
                                                      "hall_name": "东城街道政务服务中心（东城市民服务大厅）",
                                                      "tip": "前面还有5位，请回到大厅留意叫号"})
    assert filled["character_string1"] == {"value": "A012"}
    assert filled["number2"] == {"value": "5"}
    assert len(filled["thing3"]["value"]) <= 20
    assert filled["thing4"]["value"].startswith("前面还有5位")
    assert template_data("queue_position_reached", {})["thing4"] == {"value": "请回到大厅留意叫号"}
