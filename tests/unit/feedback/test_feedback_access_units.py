"""feedback's object rules for every principal kind (no Flask, no database)."""

from __future__ import annotations

import pytest

from feedback.models import FeedbackCase
from feedback.services import access
from mobile_api.actor import Actor
from mobile_api.errors import Forbidden
from mobile_api.hooks import ServedEvent

PLATFORM_ADMIN = Actor(kind="staff", id=1, role="admin")
HALL_ADMIN = Actor(kind="staff", id=2, role="admin", hall_id=5)
DEPT_ADMIN = Actor(kind="staff", id=3, role="admin", department_code="gongan", hall_id=5)
GONGAN_CLERK_HALL_5 = Actor(kind="staff", id=4, role="clerk", department_code="gongan", hall_id=5)
RENSHE_APPROVER = Actor(kind="staff", id=5, role="approver", department_code="renshe")
GENERAL_CLERK_HALL_5 = Actor(kind="staff", id=6, role="clerk", hall_id=5)
KIOSK_HALL_5 = Actor(kind="kiosk", id=7, role="kiosk", hall_id=5)
CITIZEN = Actor(kind="citizen", id=8, role="citizen")
OTHER_CITIZEN = Actor(kind="citizen", id=9, role="citizen")


def _case(department="gongan", kind="complaint"):
    return FeedbackCase(id=1, citizen_id=CITIZEN.id, kind=kind, department_code=department)


@pytest.mark.parametrize("actor, dispatcher, handles", [
    (PLATFORM_ADMIN, True, None),
    (HALL_ADMIN, False, None),  # an admin with a hall is that hall's admin, not the 12345 dispatcher
    (DEPT_ADMIN, False, "gongan"),
    (GONGAN_CLERK_HALL_5, False, None),  # a 公安 window: not 公安's back office (issue 16, defect 5)
    (RENSHE_APPROVER, False, "renshe"),
    (GENERAL_CLERK_HALL_5, False, None),
    (KIOSK_HALL_5, False, None),
    (CITIZEN, False, None),
])
def test_who_dispatches_and_in_whose_name_staff_handle_cases(actor, dispatcher, handles):
    assert access.is_dispatcher(actor) is dispatcher
    assert access.handling_department(actor) == handles
    if handles is None:
        with pytest.raises(Forbidden):
            access.require_handling_department(actor)


@pytest.mark.parametrize("actor, sees", [
    (CITIZEN, True), (OTHER_CITIZEN, False), (PLATFORM_ADMIN, True), (HALL_ADMIN, False), (DEPT_ADMIN, True),
    (GONGAN_CLERK_HALL_5, False), (RENSHE_APPROVER, False), (GENERAL_CLERK_HALL_5, False), (KIOSK_HALL_5, False),
])
def test_who_reads_a_case_held_by_gongan(actor, sees):
    assert access.can_read_case(actor, _case()) is sees


def test_a_case_nobody_holds_is_the_dispatchers_and_its_citizens_only():
    waiting = _case(department=None)
    assert [a for a in (CITIZEN, PLATFORM_ADMIN, HALL_ADMIN, GENERAL_CLERK_HALL_5, GONGAN_CLERK_HALL_5)
            if access.can_read_case(a, waiting)] == [CITIZEN, PLATFORM_ADMIN]


def test_a_reports_reporter_is_shown_to_the_dispatcher_only():
    report = _case(kind="report")
    assert access.reporter_visible_to(PLATFORM_ADMIN, report)
    assert not access.reporter_visible_to(DEPT_ADMIN, report)
    assert access.reporter_visible_to(DEPT_ADMIN, _case(kind="complaint"))


@pytest.mark.parametrize("actor, gongan_rating, general_window_hall_5, general_window_hall_6", [
    (PLATFORM_ADMIN, True, True, True),
    (HALL_ADMIN, False, True, False),
    (DEPT_ADMIN, True, True, False),
    (GONGAN_CLERK_HALL_5, False, True, False),  # its hall's general window only, like any clerk
    (RENSHE_APPROVER, False, False, False),
    (GENERAL_CLERK_HALL_5, False, True, False),
    (KIOSK_HALL_5, False, False, False),  # a device acts for its hall, but ratings belong to staff
    (CITIZEN, False, False, False),
])
def test_whom_a_rating_belongs_to(actor, gongan_rating, general_window_hall_5, general_window_hall_6):
    assert access.rating_belongs_to(actor, "gongan", 1) is gongan_rating
    assert access.rating_belongs_to(actor, None, 5) is general_window_hall_5
    assert access.rating_belongs_to(actor, None, 6) is general_window_hall_6


def test_only_the_served_citizen_or_the_halls_device_rates():
    ticket = ServedEvent(kind="ticket", id=1, citizen_id=CITIZEN.id, finished=True, finished_at=None, hall_id=5)
    access.ensure_may_rate(CITIZEN, ticket)
    access.ensure_may_rate(KIOSK_HALL_5, ticket)
    for refused in (OTHER_CITIZEN, Actor(kind="kiosk", id=10, role="kiosk", hall_id=6)):
        with pytest.raises(Exception) as caught:
            access.ensure_may_rate(refused, ticket)
        assert caught.value.status == 404
    with pytest.raises(Forbidden):
        access.ensure_may_rate(GONGAN_CLERK_HALL_5, ticket)


def test_statistics_in_whose_name():
    assert access.stats_department(PLATFORM_ADMIN) is None  # all departments
    assert access.stats_department(DEPT_ADMIN) == "gongan"
    for refused in (HALL_ADMIN, GENERAL_CLERK_HALL_5, GONGAN_CLERK_HALL_5):
        with pytest.raises(Forbidden):
            access.stats_department(refused)
