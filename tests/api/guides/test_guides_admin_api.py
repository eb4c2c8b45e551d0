"""Admins publish: drafts, publish with the rules, retire, versions, access, audit, sync, search freshness."""

import copy

import pytest

from guides import services
from guides.convert import item_to_data
from mobile_api.audit import entries_for

CODE = "010300010000"  # 居民身份证补领 (公安)
BASE = "/api/v1/guides/admin/items"


@pytest.fixture
def platform_admin(make):
    return make.headers(make.staff("admin", department_code=None))


@pytest.fixture
def gongan_admin(make):
    return make.headers(make.staff("admin", department_code="gongan"))


def published_data(session, code=CODE):
    data = copy.deepcopy(item_to_data(services.get_published_item(session, code)))
    # End this read's savepoint: the test client's requests share the test's
    # app context, so their session's savepoint may enclose ours.
    session.rollback()
    return data


def new_item(session):
    data = published_data(session)
    data.update(code="010300990000", implementation_code="441901010300990000001", name="测试证明开具",
                keywords=["测试证明", "开测试证明", "样例证明"])
    return data


def test_draft_edit_publish_makes_a_new_version_visible(client, session, catalogue, gongan_admin):
    before = client.get(f"/api/v1/guides/items/{CODE}")
    response = client.post(f"{BASE}/{CODE}/draft", headers=gongan_admin)
    assert response.status_code == 201 and response.json["status"] == "draft" and response.json["revision"] == 2
    # citizens never see drafts
    assert client.get(f"/api/v1/guides/items/{CODE}").json["promised_days"] == before.json["promised_days"]
    data = published_data(session)
    data["promised_days"] = 10
    data["keywords"] = data["keywords"][:7] + ["证件丢失补办"]
    response = client.put(f"{BASE}/{CODE}/draft", json=data, headers=gongan_admin)
    assert response.status_code == 200 and response.json["promised_days"] == 10
    response = client.post(f"{BASE}/{CODE}/publish", headers=gongan_admin)
    assert response.status_code == 200, response.json
    assert response.json["status"] == "published" and response.json["version"] > before.json["version"]
    after = client.get(f"/api/v1/guides/items/{CODE}", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and after.json["promised_days"] == 10
    assert after.headers["ETag"] != before.headers["ETag"]
    # the change is searchable at once in this process
    hits = client.get("/api/v1/guides/items", query_string={"q": "证件丢失补办"}).json["items"]
    assert hits[0]["code"] == CODE
    # old versions are kept and readable
    versions = client.get(f"{BASE}/{CODE}/versions", headers=gongan_admin).json
    assert [(v["revision"], v["status"]) for v in versions] == [(1, "superseded"), (2, "published")]
    old = client.get(f"{BASE}/{CODE}/versions/1", headers=gongan_admin).json
    assert old["promised_days"] == before.json["promised_days"]
    actions = [e.action for e in entries_for(session, "service_item", CODE)]
    assert actions == ["guides.draft_create", "guides.draft_update", "guides.item_publish"]


def test_a_publish_that_breaks_a_rule_changes_nothing(client, session, catalogue, gongan_admin):
    client.post(f"{BASE}/{CODE}/draft", headers=gongan_admin)
    data = published_data(session)
    data["promised_days"] = data["statutory_days"] + 5
    data["online_depth"], data["visits_required"] = 4, 1
    assert client.put(f"{BASE}/{CODE}/draft", json=data, headers=gongan_admin).status_code == 200
    version_before = services.catalogue_version(session)
    response = client.post(f"{BASE}/{CODE}/publish", headers=gongan_admin)
    assert response.status_code == 422 and response.json["code"] == "guides.rule_violated"
    assert {"promised_days", "online_depth_visits"} <= set(response.json["errors"])
    assert all(v["item_code"] == CODE for v in response.json["violations"])
    session.expire_all()
    assert services.catalogue_version(session) == version_before
    assert services.get_published_item(session, CODE).revision == 1
    assert "guides.item_publish" not in [e.action for e in entries_for(session, "service_item", CODE)]


def test_new_item_then_retire_shows_in_sync(client, session, catalogue, gongan_admin):
    since = services.catalogue_version(session)
    response = client.post(BASE, json=new_item(session), headers=gongan_admin)
    assert response.status_code == 201, response.json
    assert client.get("/api/v1/guides/items/010300990000").status_code == 404  # still a draft
    assert client.post(f"{BASE}/010300990000/publish", headers=gongan_admin).status_code == 200
    sync = client.get(f"/api/v1/guides/sync?since={since}").json
    assert [i["code"] for i in sync["items"]] == ["010300990000"] and sync["retired"] == []
    since = sync["version"]
    response = client.post(f"{BASE}/{CODE}/retire", headers=gongan_admin)
    assert response.status_code == 200 and response.json["status"] == "retired"
    sync = client.get(f"/api/v1/guides/sync?since={since}").json
    assert sync["items"] == [] and sync["retired"] == [CODE] and sync["version"] == since + 1
    assert client.get(f"/api/v1/guides/items/{CODE}").status_code == 404
    assert CODE not in [i["code"] for i in client.get("/api/v1/guides/items?q=身份证丢了").json["items"]]
    assert client.post(f"{BASE}/{CODE}/retire", headers=gongan_admin).json["code"] == "guides.not_published"
    assert client.get(f"{BASE}/{CODE}/versions/1", headers=gongan_admin).json["status"] == "retired"


def test_department_admins_manage_only_their_own_items(client, session, catalogue, make, platform_admin):
    renshe_admin = make.headers(make.staff("admin", department_code="renshe"))
    response = client.post(f"{BASE}/{CODE}/draft", headers=renshe_admin)
    assert response.status_code == 403 and response.json["code"] == "guides.not_your_department"
    assert client.post(BASE, json=new_item(session), headers=renshe_admin).status_code == 403
    assert client.get(f"{BASE}/{CODE}/versions", headers=renshe_admin).status_code == 403
    assert client.post(f"{BASE}/{CODE}/retire", headers=renshe_admin).status_code == 403
    # the platform admin manages every department's items
    assert client.post(f"{BASE}/{CODE}/draft", headers=platform_admin).status_code == 201
    # clerks and citizens are not admins
    clerk = make.headers(make.staff("clerk", department_code="gongan"))
    assert client.post(f"{BASE}/{CODE}/publish", headers=clerk).status_code == 403
    assert client.post(f"{BASE}/{CODE}/publish", headers=make.headers(make.citizen())).status_code == 403
    assert client.post(f"{BASE}/{CODE}/publish").status_code == 401


def test_one_draft_per_item(client, catalogue, gongan_admin):
    assert client.post(f"{BASE}/{CODE}/draft", headers=gongan_admin).status_code == 201
    response = client.post(f"{BASE}/{CODE}/draft", headers=gongan_admin)
    assert response.status_code == 409 and response.json["code"] == "guides.draft_exists"


def test_publish_without_a_draft_is_409(client, catalogue, gongan_admin):
    response = client.post(f"{BASE}/{CODE}/publish", headers=gongan_admin)
    assert response.status_code == 409 and response.json["code"] == "guides.not_a_draft"


@pytest.mark.parametrize("change", [
    {"online_depth": 9}, {"channels": ["fax"]}, {"materials": [{"code": "M1"}]}, {"surprise": 1},
    {"name": None}, {"promised_days": "many"},
    # Shaped like a date but not a day: was a 500 (ValueError in date.fromisoformat).
    {"effective_date": "0000-01-01"}, {"effective_date": "2026-02-30"},
])
def test_malformed_drafts_are_422_and_change_nothing(client, session, catalogue, gongan_admin, change):
    data = new_item(session)
    data.update(change)
    response = client.post(BASE, json=data, headers=gongan_admin)
    assert response.status_code == 422 and response.content_type == "application/problem+json"
    assert client.get(f"{BASE}/010300990000/versions", headers=gongan_admin).status_code == 404


@pytest.mark.parametrize("day", ["0000-01-01", "2026-02-30", "2026-13-01"])
def test_a_draft_edit_with_an_impossible_date_is_422_and_changes_nothing(client, session, catalogue, gongan_admin,
                                                                          day):
    assert client.post(f"{BASE}/{CODE}/draft", headers=gongan_admin).status_code in (200, 201)
    data = published_data(session)
    data["effective_date"] = day
    response = client.put(f"{BASE}/{CODE}/draft", json=data, headers=gongan_admin)
    assert response.status_code == 422 and response.content_type == "application/problem+json"
    assert "effective_date" in str(response.json["errors"])
    versions = client.get(f"{BASE}/{CODE}/versions", headers=gongan_admin).json
    assert all(v.get("effective_date") != day for v in (versions if isinstance(versions, list) else
                                                        versions.get("items", [])))


def test_unknown_department_in_a_draft_is_404(client, session, catalogue, platform_admin):
    data = new_item(session)
    data["department_code"] = "nasa"
    response = client.post(BASE, json=data, headers=platform_admin)
    assert response.status_code == 404 and response.json["code"] == "guides.department_not_found"


@pytest.mark.parametrize("revision", [0, 2**31, 2**63, 10**30])
def test_a_revision_no_column_can_hold_is_404(client, catalogue, gongan_admin, revision):
    # 2**63 in the path was a 500 (the driver refused it).
    response = client.get(f"{BASE}/{CODE}/versions/{revision}", headers=gongan_admin)
    assert response.status_code == 404 and response.content_type == "application/problem+json"
    # The shell's route converter refuses ids no column can hold before guides sees them.
    assert response.json["code"] in ("guides.version_not_found", "platform.not_found")


@pytest.mark.parametrize("method, suffix", [("GET", "versions"), ("GET", "versions/1"), ("POST", "draft"),
                                            ("POST", "publish"), ("POST", "retire")])
def test_control_characters_in_an_item_code_are_404(client, catalogue, gongan_admin, method, suffix):
    # Was a 500 on PostgreSQL, which refuses NUL in a text parameter.
    response = client.open(f"{BASE}/0103%00/{suffix}", method=method, headers=gongan_admin)
    assert response.status_code == 404 and response.json["code"] in ("guides.item_not_found", "platform.not_found")
