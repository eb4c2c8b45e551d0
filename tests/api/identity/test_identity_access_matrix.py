"""身份's rows of the access matrix (tests/access/matrix.py): staff and kiosk
accounts, for every principal kind, on real accounts. "here" is the staff
member's department; the kiosk rows have no department."""

from __future__ import annotations

import pytest

from tests.access.matrix import MATRIX
from tests.access.runner import check_row, headers_of, principals, row_params, rows_under

API = "/api/v1/identity"
HERE, THERE = 1, 2
DEPARTMENT, OTHER_DEPARTMENT = "gongan", "renshe"
ROWS = rows_under(API)


@pytest.fixture
def world(make, session):
    people = principals(make, here_hall=HERE, there_hall=THERE, department=DEPARTMENT,
                        other_department=OTHER_DEPARTMENT)
    session.commit()
    return {"headers": headers_of(make, people), "make": make}


def _account(world, template: str) -> str:
    """A fresh account of the row's kind, so each granted principal acts on its own."""
    make = world["make"]
    if "/kiosks/" in template:
        return template.format(device_id=make.kiosk(hall_id=HERE)[0].id)
    return template.format(staff_id=make.staff("clerk", DEPARTMENT, HERE).id)


def test_every_account_operation_has_a_row():
    assert len(ROWS) == 7


@pytest.mark.parametrize("method,template", row_params(ROWS))
def test_every_principal_kind_gets_the_documented_answer(client, world, session, method, template):
    shared = _account(world, template)
    session.commit()
    body = {} if template.endswith(("/deactivate", "/password")) and "/staff/" in template else None
    if template.endswith("/wecom") and method == "PUT":
        body = {"wecom_userid": "matrix.member"}

    def prepare(kind, granted):
        path = _account(world, template) if granted else shared
        session.commit()
        return path, {"json": body}

    mismatches = check_row(client, method, shared, MATRIX[(method, template)],
                           lambda kind: world["headers"][kind], body=body, prepare=prepare)
    assert not mismatches, "\n".join(mismatches)
