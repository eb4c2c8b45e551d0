"""办事指南's rows of the access matrix (tests/access/matrix.py), run for every
principal kind against real items of the sample catalogue.

"Here" is the item's department (公安, gongan: dept_admin_here is a gongan
department admin, approver_here a gongan approver). Items have no hall: the
hall kinds are hall 1 and hall 2 and differ only by being kiosks and staff
without a department, who manage no items. Clerks are general-window clerks
(a hall, no department), as in the other runners. "owner" is a citizen (an
item has no owner). The state each row runs in:

- reads (item, theme, versions, one version): a published item (revision 1),
  the theme `newborn`;
- draft (POST): a published item without a draft;
- draft (PUT), publish: a published item with a draft started from its
  published version; PUT sends the item's whole published content (a valid
  ItemDraftSchema body), so a refusal after validation shows;
- retire: a published item.

Refused principals share one item, which they must not change (checked at the
end); every granted principal of a write gets another gongan item of its own,
in the row's state, so that one granted answer does not decide the next (a
second draft is refused, a retired item cannot be retired again).
"""

from __future__ import annotations

import copy

import pytest

from guides import services
from guides.convert import item_to_data
from tests.access.matrix import MATRIX
from tests.access.runner import check_row, headers_of, principals, row_params, rows_under

API = "/api/v1/guides"
ADMIN = f"{API}/admin/items"
HERE, THERE = 1, 2
DEPARTMENT, OTHER_DEPARTMENT = "gongan", "renshe"
CODE = "010300010000"  # 居民身份证补领 (公安): the shared item
THEME = "newborn"
PREFIX = "/api/v1/guides/"


@pytest.fixture
def world(client, session, catalogue, make):
    people = principals(make, here_hall=HERE, there_hall=THERE, department=DEPARTMENT,
                        other_department=OTHER_DEPARTMENT)
    headers = headers_of(make, people)
    # The published content of every gongan item, read once before any
    # request: PUT bodies, and the pool of fresh items for granted principals.
    contents = {item.code: copy.deepcopy(item_to_data(item)) for item in services.list_published_items(session)
                if item.department_code == DEPARTMENT}
    # End this read's savepoint: the test client's requests share the test's
    # app context, so their session's savepoint may enclose ours.
    session.rollback()
    assert CODE in contents and len(contents) >= 6
    return Builder(client, headers, contents)


class Builder:
    """Puts an item in the row's state, through the API, as the platform admin."""

    def __init__(self, client, headers, contents):
        self.client, self.headers, self.contents = client, headers, contents
        self._fresh = iter(sorted(code for code in contents if code != CODE))

    def fresh_code(self) -> str:
        return next(self._fresh)

    def start_draft(self, code):
        response = self.client.post(f"{ADMIN}/{code}/draft", headers=self.headers["platform_admin"])
        assert response.status_code == 201, response.json
        assert response.json["revision"] == 2

    def request(self, method, template, code):
        """(path, request kwargs) for one principal, with `code` put in the row's state."""
        action = template.rsplit("/", 1)[-1]
        body = None
        if action == "draft" and method == "PUT":
            self.start_draft(code)
            body = copy.deepcopy(self.contents[code])
        elif action == "publish":
            self.start_draft(code)
        path = template.format(code=code, theme_id=THEME, revision=1)
        return path, {"json": body, "query_string": None}


ROWS = rows_under(PREFIX)




def test_the_runner_covers_the_eight_guides_rows():
    assert len(ROWS) == 8


@pytest.mark.parametrize("method,template", row_params(ROWS))
def test_every_principal_kind_gets_the_documented_answer(client, world, method, template):
    shared = world.request(method, template, CODE)
    before = client.get(f"{ADMIN}/{CODE}/versions", headers=world.headers["platform_admin"]).json
    granted_codes = []

    def prepare(kind, granted):
        if granted and method != "GET":
            code = world.fresh_code()
            granted_codes.append(code)
            return world.request(method, template, code)
        return shared

    mismatches = check_row(client, method, shared[0], MATRIX[(method, template)], lambda kind: world.headers[kind],
                           prepare=prepare)
    assert not mismatches, "\n".join(mismatches)
    # The refused principals changed nothing on the shared item.
    after = client.get(f"{ADMIN}/{CODE}/versions", headers=world.headers["platform_admin"]).json
    assert after == before
    if method != "GET":
        # Each granted principal acted on an item of its own (the row's
        # exceptions are all granted kinds of a write).
        assert len(granted_codes) == len(set(granted_codes)) == sum(
            want == "ok" for want in MATRIX[(method, template)].values())


def test_a_granted_write_really_happened(client, world):
    """Granted answers are not only "not refused": the platform admin's and
    the department admin's publishes make new published versions."""
    for kind in ("platform_admin", "dept_admin_here"):
        code = world.fresh_code()
        path, _ = world.request("POST", "/api/v1/guides/admin/items/{code}/publish", code)
        response = client.post(path, headers=world.headers[kind])
        assert response.status_code == 200, response.json
        assert response.json["status"] == "published" and response.json["revision"] == 2


def test_no_state_is_told_before_the_right_to_manage_is_checked(client, world):
    """An admin of another department or a hall admin learns nothing of an
    item's draft or publication: 403 before 409."""
    for kind in ("dept_admin_elsewhere", "hall_admin_here"):
        headers = world.headers[kind]
        for method, path in (("PUT", f"{ADMIN}/{CODE}/draft"), ("POST", f"{ADMIN}/{CODE}/publish")):
            answer = client.open(path, method=method, headers=headers, json=world.contents[CODE])
            assert answer.status_code == 403, (kind, path, answer.json)
