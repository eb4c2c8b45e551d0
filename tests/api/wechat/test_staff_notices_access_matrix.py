"""The staff notice row of the access matrix: only the recipient marks a notice read."""

from __future__ import annotations

from datetime import timedelta

import pytest

from mobile_api import outbox
from mobile_api.jobs.registry import rule_named
from mobile_api.jobs.runs import run_period
from tests.access.matrix import MATRIX
from tests.access.runner import check_row, headers_of, principals, row_params, rows_under
from wechat.work.models import StaffNotice

API = "/api/v1/staff/notices"


@pytest.mark.parametrize("method,template", row_params(rows_under(API)))
def test_every_principal_kind_gets_the_documented_answer(app, client, session, clock, make, method, template):
    people = principals(make, here_hall=1, there_hall=2, department="gongan", other_department="renshe")
    outbox.enqueue(session, "staff.notify", {"staff_ids": [people["clerk_here"].id], "event": "waiting_warning",
                                             "data": {"ticket": "A001"}}, clock.now())
    session.commit()
    run_period(app, rule_named(app, "platform.outbox_delivery"), "matrix", timedelta(minutes=5))
    notice_id = session.query(StaffNotice.id).filter(StaffNotice.staff_id == people["clerk_here"].id).scalar()
    headers = headers_of(make, people)
    mismatches = check_row(client, method, template.format(notice_id=notice_id), MATRIX[(method, template)],
                           lambda kind: headers[kind])
    assert not mismatches, "\n".join(mismatches)
