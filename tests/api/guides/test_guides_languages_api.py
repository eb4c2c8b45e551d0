"""Issue 19 through the API: Accept-Language, life events for the 一件事
entry page, and the "no result" answer."""

EN = {"Accept-Language": "en-GB,en;q=0.9,zh-CN;q=0.5"}


def test_english_item_names_and_guide_with_accept_language(client, catalogue):
    zh = client.get("/api/v1/guides/items/010100130000")
    en = client.get("/api/v1/guides/items/010100130000", headers=EN)
    assert zh.json["name"] == "普通护照签发" and zh.json["language"] == "zh"
    assert zh.headers["Content-Language"] == "zh" and "Accept-Language" in zh.headers["Vary"]
    body = en.json
    assert body["name"] == "Ordinary passport issuance" and body["language"] == "en"
    assert body["name_zh"] == "普通护照签发" and body["department_name"] == "Public Security Bureau"
    assert body["english"]["item_type"] == "Administrative licence" and "Acceptance" in body["english"]["steps"]
    assert all(m["name"] for m in body["english"]["materials"])  # Chinese where no English: never empty
    assert en.headers["Content-Language"] == "en"
    assert en.headers["ETag"] != zh.headers["ETag"]  # a cache never serves one language for the other
    assert client.get("/api/v1/guides/items/010100130000", headers=dict(EN, **{"If-None-Match": en.headers["ETag"]})
                      ).status_code == 304


def test_chinese_stays_the_default_for_existing_clients(client, catalogue):
    for headers in ({}, {"Accept-Language": "zh-CN,zh;q=0.9"}, {"Accept-Language": "fr"}):
        body = client.get("/api/v1/guides/items", query_string={"q": "护照"}, headers=headers).json
        assert body["language"] == "zh" and body["items"][0]["name"] == "普通护照签发"


def test_english_search_answers_in_english(client, catalogue):
    body = client.get("/api/v1/guides/items", query_string={"q": "lost my ID card"}, headers=EN).json
    first = body["items"][0]
    assert body["matched"] is True and first["code"] in ("010300010000", "010800050000")
    assert first["name"] == first["name_en"] and first["name_zh"].startswith("居民身份证")
    assert "<em>ID</em>" in first["name_highlighted"] or "<em>identity</em>" in first["name_highlighted"]


def test_english_query_without_english_header_still_finds_the_item(client, catalogue):
    body = client.get("/api/v1/guides/items", query_string={"q": "driver licence renewal"}).json
    assert body["items"][0]["code"] == "010100180000" and body["items"][0]["name"] == "机动车驾驶证有效期满换证"


def test_cantonese_query_through_the_api(client, catalogue):
    body = client.get("/api/v1/guides/items", query_string={"q": "身份证唔见咗点算"}).json
    assert body["items"][0]["code"] in ("010300010000", "010800050000")


def test_a_life_event_query_reports_the_event(client, catalogue):
    body = client.get("/api/v1/guides/items", query_string={"q": "someone died"}, headers=EN).json
    assert body["life_events"] == [{"code": "after-death", "name": "After a death"}]
    assert body["items"][0]["code"] == "010300100000"


def test_life_events_for_the_entry_page_in_both_languages(client, catalogue):
    events = {e["code"]: e for e in client.get("/api/v1/guides/life-events").json}
    death = events["after-death"]
    assert death["name"] == "身后" and death["name_en"] == "After a death"
    assert death["item_codes"][:2] == ["010300100000", "050200090000"]
    assert {"020200250000", "060800150000"} <= set(death["item_codes"])  # pension and housing fund after death
    assert [i["code"] for i in death["items"]][:2] == ["010300100000", "050200090000"]
    assert {"job-loss", "adoption", "moving-in"} <= set(events)
    assert events["job-loss"]["item_codes"][:3] == ["020800120000", "020200130000", "060800090000"]
    english = {e["code"]: e for e in client.get("/api/v1/guides/life-events", headers=EN).json}
    assert english["adoption"]["name"] == "Adopting a child"
    assert english["adoption"]["items"][0]["name"] == "Adoption registration"


def test_the_life_event_filter_uses_the_concept_map(client, catalogue):
    codes = {i["code"] for i in client.get("/api/v1/guides/items",
                                           query_string={"life_event": "job-loss", "page_size": 100}).json["items"]}
    assert {"020800120000", "020200130000", "060800090000"} <= codes


def test_no_match_says_so_and_suggests_items_and_life_events(client, catalogue):
    body = client.get("/api/v1/guides/items", query_string={"q": "zzqqxxjj"}).json
    assert body["matched"] is False and body["items"] == []
    kinds = {s["kind"] for s in body["suggestions"]}
    assert "life_event" in kinds
    event = next(s for s in body["suggestions"] if s["kind"] == "life_event")
    assert event["life_event_code"] and event["item_code"] is None


def test_departments_and_themes_carry_english_names(client, catalogue):
    departments = client.get("/api/v1/guides/departments").json
    assert departments[0]["name_en"] == "Public Security Bureau"
    themes = client.get("/api/v1/guides/themes").json
    assert all(t["name_en"] for t in themes)


def test_an_item_without_english_falls_back_to_chinese_never_empty(client, catalogue, session):
    """Catalogues loaded before English existed: every English field is the Chinese one."""
    from sqlalchemy import update

    from guides.models import ServiceItem

    session.execute(update(ServiceItem).where(ServiceItem.code == "010300110000")
                    .values(name_en=None, keywords_en=None))
    session.commit()
    body = client.get("/api/v1/guides/items/010300110000", headers=EN).json
    assert body["name"] == body["name_en"] == body["english"]["name"] == "居住证申领"
    assert body["keywords_en"] == [] and body["language"] == "en"
