"""Access review: a department admin touches only its own department's drafts; nobody else publishes;
drafts stay invisible to the public."""

import copy

import pytest

from guides import services
from guides.convert import item_to_data
from mobile_api.audit import entries_for

CODE = "010300010000"  # 居民身份证补领 (公安)
BASE = "/api/v1/guides/admin/items"


@pytest.fixture
def draft(client, session, catalogue, make):
    platform = make.headers(make.staff("admin", department_code=None))
    response = client.post(f"{BASE}/{CODE}/draft", headers=platform)
    assert response.status_code == 201, response.json
    return response.json


def _published_data(session):
    data = copy.deepcopy(item_to_data(services.get_published_item(session, CODE)))
    session.rollback()
    return data


def test_another_departments_admin_cannot_edit_publish_or_read_a_draft(client, app, session, clock, make, draft):
    renshe = make.headers(make.staff("admin", "renshe", hall_id=None, username="renshe-admin-review"))
    data = _published_data(session)
    changed = dict(data, name="被篡改的名称")
    assert client.put(f"{BASE}/{CODE}/draft", json=changed, headers=renshe).status_code == 403
    assert client.post(f"{BASE}/{CODE}/publish", headers=renshe).status_code == 403
    assert client.get(f"{BASE}/{CODE}/versions/{draft['revision']}", headers=renshe).status_code == 403
    for role, department in (("approver", "gongan"), ("clerk", "gongan")):
        h = make.headers(make.staff(role, department_code=department))
        assert client.put(f"{BASE}/{CODE}/draft", json=changed, headers=h).status_code == 403
        assert client.get(f"{BASE}/{CODE}/versions", headers=h).status_code == 403
    kiosk, _ = make.kiosk()
    assert client.post(f"{BASE}/{CODE}/publish", headers=make.headers(kiosk)).status_code == 403
    # nothing changed: the public still sees the published version, the draft keeps its name
    public = client.get(f"/api/v1/guides/items/{CODE}")
    assert public.status_code == 200 and public.json["name"] == data["name"]
    assert services.get_published_item(session, CODE).revision == draft["revision"] - 1
    session.rollback()
    actions = [e.action for e in entries_for(session, "service_item", CODE)]
    assert "guides.draft_update" not in actions and "guides.publish" not in actions


def test_a_hall_admin_does_not_manage_the_catalogue(client, session, make, draft):
    """identity.access: an admin with a hall and no department runs that hall;
    it is not the platform admin it used to be taken for."""
    hall_admin = make.headers(make.staff("admin", department_code=None, hall_id=1))
    assert client.get(f"{BASE}/{CODE}/versions", headers=hall_admin).status_code == 403
    refused = client.post(f"{BASE}/{CODE}/publish", headers=hall_admin)
    assert refused.status_code == 403 and refused.json["code"] != "guides.not_your_department"
    assert services.get_published_item(session, CODE).revision == draft["revision"] - 1  # still the old one


def test_own_department_admin_may_edit_its_draft(client, app, session, clock, make, draft):
    gongan = make.headers(make.staff("admin", "gongan", hall_id=None, username="gongan-admin-review"))
    assert client.get(f"{BASE}/{CODE}/versions/{draft['revision']}", headers=gongan).status_code == 200


def test_drafts_of_new_items_are_invisible_to_the_public(client, app, session, clock, make, catalogue):
    gongan = make.headers(make.staff("admin", "gongan", hall_id=None, username="gongan-admin-review2"))
    data = _published_data(session)
    data.update(code="010300990000", implementation_code="441901010300990000001", name="访问复核测试事项",
                keywords=["访问复核"])
    created = client.post(BASE, json=data, headers=gongan)
    assert created.status_code == 201, created.json
    assert client.get("/api/v1/guides/items/010300990000").status_code == 404
    found = client.get("/api/v1/guides/items", query_string={"q": "访问复核测试事项"})
    assert "010300990000" not in found.get_data(as_text=True)
