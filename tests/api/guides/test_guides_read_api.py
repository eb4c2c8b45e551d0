"""Citizens' and kiosks' reads: search, items with ETag, departments, themes, life events."""

import json

import pytest

PROBLEM = "application/problem+json"


def test_search_ranks_highlights_and_paginates(client, catalogue):
    response = client.get("/api/v1/guides/items", query_string={"q": "身份证丢了", "page_size": 3})
    assert response.status_code == 200
    body = response.json
    assert body["items"][0]["code"] in ("010300010000", "010800050000")
    assert "<em>" in body["items"][0]["name_highlighted"]
    assert body["items"][0]["score"] > 0
    assert len(body["items"]) <= 3
    meta = json.loads(response.headers["X-Pagination"])
    assert meta["total"] == body["total"] and meta["page"] == 1


def test_pinyin_initials_through_the_api(client, catalogue):
    codes = [i["code"] for i in client.get("/api/v1/guides/items?q=sbk").json["items"][:3]]
    assert set(codes) & {"020800010000", "020800020000", "020800030000"}


def test_no_match_answers_with_suggestions(client, catalogue):
    body = client.get("/api/v1/guides/items?q=zzqqxxjj").json
    assert body["items"] == [] and body["total"] == 0
    assert body["suggestions"], "an empty result must come with suggestions"


def test_filters(client, catalogue):
    body = client.get("/api/v1/guides/items?department=renshe&page_size=100").json
    assert body["total"] > 0 and all(i["department_code"] == "renshe" for i in body["items"])
    body = client.get("/api/v1/guides/items?online_depth=4&max_visits=0&channel=kiosk&page_size=100").json
    assert body["total"] > 0
    assert all(i["online_depth"] == 4 and i["visits_required"] == 0 and "kiosk" in i["channels"]
               for i in body["items"])
    body = client.get("/api/v1/guides/items?theme=newborn").json
    assert "010300060000" in [i["code"] for i in body["items"]]
    by_code = client.get("/api/v1/guides/items?life_event=retirement&page_size=100").json
    by_name = client.get("/api/v1/guides/items", query_string={"life_event": "退休", "page_size": 100}).json
    assert by_code["total"] == by_name["total"] > 0
    body = client.get("/api/v1/guides/items", query_string={"q": "补办", "department": "gongan"}).json
    assert body["total"] > 0 and all(i["department_code"] == "gongan" for i in body["items"])


@pytest.mark.parametrize("query, field", [
    ({"colour": "red"}, "colour"),
    ({"page_size": 0}, "page_size"),
    ({"page_size": 101}, "page_size"),
    ({"q": "社" * 101}, "q"),
    ({"q": "社保\x00卡"}, "q"),
    ({"q": "社保\x1b卡"}, "q"),
    ({"online_depth": 5}, "online_depth"),
    ({"max_visits": -1}, "max_visits"),
    ({"channel": "fax"}, "channel"),
    # NUL in a filter was a 500 on PostgreSQL (text parameters cannot hold it).
    ({"department": "gong\x00an"}, "department"),
    ({"theme": "\x00"}, "theme"),
    ({"life_event": "a\x00"}, "life_event"),
])
def test_bad_query_parameters_are_a_clear_4xx(client, catalogue, query, field):
    response = client.get("/api/v1/guides/items", query_string=query)
    assert 400 <= response.status_code < 500
    assert response.content_type == PROBLEM
    assert field in response.json.get("errors", {})


@pytest.mark.parametrize("query", [{"department": "nasa"}, {"theme": "nope"}, {"life_event": "登月"}])
def test_unknown_filter_values_are_400(client, catalogue, query):
    response = client.get("/api/v1/guides/items", query_string=query)
    assert response.status_code == 400 and response.json["code"] == "guides.bad_query"


def test_item_read_with_etag_and_304(client, catalogue):
    response = client.get("/api/v1/guides/items/010300010000")
    assert response.status_code == 200
    item = response.json
    assert item["name"] == "居民身份证补领" and item["status"] == "published"
    assert item["materials"] and {"id", "shared_waiver", "commitment_allowed"} <= set(item["materials"][0])
    assert item["department_name"]
    etag = response.headers["ETag"]
    again = client.get("/api/v1/guides/items/010300010000", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == etag
    other = client.get("/api/v1/guides/items/010300010000", headers={"If-None-Match": '"stale"'})
    assert other.status_code == 200


def test_unknown_item_is_404_problem(client, catalogue):
    response = client.get("/api/v1/guides/items/999999999999")
    assert response.status_code == 404 and response.json["code"] == "guides.item_not_found"
    assert response.content_type == PROBLEM


def test_departments_and_life_events(client, catalogue):
    departments = client.get("/api/v1/guides/departments").json
    assert len(departments) >= 10 and departments[0]["code"] == "gongan"
    events = client.get("/api/v1/guides/life-events").json
    assert [e["name"] for e in events][:8] == ["出生", "上学", "就业", "婚育", "住房", "出行", "退休", "身后"]
    assert {e["kind"] for e in events} == {"personal", "business"}
    assert all(e["item_count"] > 0 for e in events)


def test_theme_merges_materials_and_runs_stages_in_parallel(client, catalogue, session):
    themes = client.get("/api/v1/guides/themes").json
    assert len(themes) >= 6
    assert {"新生儿出生一件事", "企业开办一件事", "退休一件事", "失业登记与失业金一件事",
            "二手房交易与不动产登记一件事", "身后事一件事"} <= {t["name"] for t in themes}
    theme = client.get("/api/v1/guides/themes/newborn").json
    members = theme["members"]
    assert len(members) >= 4
    names = [m["name"] for m in theme["materials"]]
    assert len(names) == len(set(names)), "a material needed by several members appears once"
    assert any(len(m["needed_by"]) > 1 for m in theme["materials"])
    field_names = [f["name"] for f in theme["form_fields"]]
    assert len(field_names) == len(set(field_names))
    by_code = {m["code"]: m["promised_days"] for m in members}
    expected = sum(max(by_code[c] for c in stage if c in by_code) for stage in theme["stages"])
    assert theme["total_promised_days"] == expected < theme["sum_promised_days"]


def test_unknown_theme_is_404(client, catalogue):
    response = client.get("/api/v1/guides/themes/nope")
    assert response.status_code == 404 and response.json["code"] == "guides.theme_not_found"


def test_sync_from_zero_gives_everything(client, catalogue):
    body = client.get("/api/v1/guides/sync?since=0").json
    assert body["version"] >= 1 and len(body["items"]) == catalogue["items"] and body["retired"] == []
    assert client.get(f"/api/v1/guides/sync?since={body['version']}").json["items"] == []
    assert client.get("/api/v1/guides/sync?since=-1").status_code == 422
    assert client.get("/api/v1/guides/sync?since=abc").status_code == 422
    assert client.get("/api/v1/guides/sync?full=1").status_code == 422


@pytest.mark.parametrize("since", ["-1", str(2**31), str(2**63), "9" * 30])
def test_sync_since_out_of_range_is_a_clear_422(client, catalogue, since):
    # since=99999999999999999999999 was a 500 (the driver refused it).
    response = client.get(f"/api/v1/guides/sync?since={since}")
    assert response.status_code == 422 and response.content_type == "application/problem+json"
    assert response.json["errors"]["since"] == ["应为0至2147483647之间的目录版本号"]


@pytest.mark.parametrize("q", ["", "   ", "？？？", "🙂", "' OR 1=1 --", "<script>alert(1)</script>", "社" * 100])
def test_odd_queries_never_fail(client, catalogue, q):
    response = client.get("/api/v1/guides/items", query_string={"q": q})
    assert response.status_code == 200
    body = response.json
    assert body["items"] or body["suggestions"]
    assert all("<script>" not in i["name_highlighted"] for i in body["items"])


@pytest.mark.parametrize("path, code", [
    ("/api/v1/guides/items/0103%00", "guides.item_not_found"),
    ("/api/v1/guides/items/%01", "guides.item_not_found"),
    ("/api/v1/guides/themes/a%00b", "guides.theme_not_found"),
])
def test_control_characters_in_a_path_are_404(client, catalogue, path, code):
    # Was a 500 on PostgreSQL: the NUL reached the look-up as a text parameter.
    response = client.get(path)
    assert response.status_code == 404 and response.content_type == PROBLEM
    # A NUL is refused by the shell before guides sees the path.
    assert response.json["code"] in (code, "platform.not_found")
