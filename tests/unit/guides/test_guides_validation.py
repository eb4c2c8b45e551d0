"""The data-quality rules: each one named, each one caught."""

import copy

import pytest

from guides.services.loading import read_sample_data
from guides.validation import check_item

GOOD = {
    "code": "010100990000", "implementation_code": "441901010100990000001", "name": "测试许可事项",
    "name_en": "Test licence", "keywords_en": ["test licence", "trial permit", "sample licence"],
    "item_type": "行政许可", "level": "city", "service_object": ["自然人"],
    "legal_basis": [{"name": "《测试条例》", "article": "第一条"}], "conditions": "符合条件的申请人。",
    "materials": [{"code": "M01", "name": "居民身份证", "required": True, "condition": None, "form": "原件",
                   "copies": 1, "source": "政府部门核发", "shared_waiver": False, "commitment_allowed": False,
                   "note": None}],
    "fees": [], "steps": ["受理", "审核", "审批", "办结", "送达"], "statutory_days": 20, "promised_days": 5,
    "visits_required": 1, "visits_reason": "需本人到场核验", "online_depth": 3,
    "channels": ["miniprogram", "window"], "appointment_supported": True, "postal_delivery": True,
    "cross_town": True, "in_person_required": False, "certificate_type": None,
    "consult_phone": "0769-22000001", "complaint_phone": "12345",
    "faqs": [{"q": "要多久？", "a": "5个工作日。"}], "topics": ["测试"], "keywords": ["测试", "试办", "样例"],
    "life_events": ["出行"],
    "form_fields": [{"name": "reason", "label": "原因", "type": "select", "required": True,
                     "options": ["遗失"], "validation": {}}],
    "effective_date": "2024-01-01",
}


def rules(data):
    return {v.rule for v in check_item(data, "gongan")}


def changed(**changes):
    data = copy.deepcopy(GOOD)
    data.update(changes)
    return data


def test_a_good_item_passes():
    assert check_item(GOOD, "gongan") == []


@pytest.mark.parametrize("changes, rule", [
    ({"online_depth": 4, "visits_required": 1}, "online_depth_visits"),
    ({"visits_reason": None}, "visits_reason"),
    ({"fees": [{"name": "工本费", "amount_yuan": 10.0, "standard": "", "legal_basis": "某文件"}]}, "fee_basis"),
    ({"fees": [{"name": "工本费", "amount_yuan": 10.0, "standard": "每证10元", "legal_basis": None}]}, "fee_basis"),
    ({"complaint_phone": "0769-22000001"}, "phones_differ"),
    ({"faqs": []}, "licence_faq"),
    ({"steps": ["受理", "审核", "办结"]}, "licence_steps"),
    ({"promised_days": 30}, "promised_days"),
    ({"code": "010300990000", "implementation_code": "441901010300990000001"}, "code_format"),
    ({"implementation_code": "441901010100990000002"}, "implementation_code"),
    ({"keywords": ["一", "二"]}, "keywords"),
    ({"form_fields": []}, "form_fields"),
    ({"name_en": None}, "english"),
    ({"name_en": "测试许可"}, "english"),
    ({"keywords_en": ["test", "trial"]}, "english"),
    ({"keywords_en": ["test", "Test", "trial"]}, "english"),
    ({"keywords_en": ["test", "试办", "trial"]}, "english"),
    ({"online_depth": 7}, "format"),
    ({"channels": ["fax"]}, "format"),
    ({"effective_date": "2024-13-01"}, "format"),
])
def test_each_rule_is_caught_and_named(changes, rule):
    assert rule in rules(changed(**changes))


def test_a_violation_names_the_item_and_the_rule():
    violation = check_item(changed(promised_days=30), "gongan")[0]
    assert violation.item_code == "010100990000" and violation.rule == "promised_days"
    assert "010100990000" in str(violation) and "承诺办结时限" in str(violation)


def test_material_condition_rule():
    data = copy.deepcopy(GOOD)
    data["materials"][0].update(required=False, condition=None)
    assert "material_condition" in rules(data)


def test_a_department_code_mismatch_is_caught():
    assert "code_format" in {v.rule for v in check_item(GOOD, "renshe")}


def test_non_licence_items_need_no_faq_or_licence_steps():
    data = changed(item_type="公共服务", code="010800990000", implementation_code="441901010800990000001",
                   faqs=[], steps=["受理", "办结"])
    assert check_item(data, "gongan") == []


def test_garbage_is_a_format_violation_not_a_crash():
    assert "format" in {v.rule for v in check_item({"code": 5}, "gongan")}
    assert check_item("nonsense")[0].rule == "format"


def test_the_shipped_sample_data_obeys_every_rule_and_the_catalogue_targets():
    data = read_sample_data()  # raises CatalogueDataError naming file, item and rule otherwise
    items = [item for _, item in data.items]
    assert len(items) >= 200
    departments = {dept for dept, _ in data.items}
    assert len(departments) >= 10
    assert len({i['code'] for i in items}) == len(items)
    at_most_one_visit = sum(1 for i in items if i["visits_required"] <= 1)
    assert at_most_one_visit / len(items) >= 0.6
    depths = {i["online_depth"] for i in items}
    assert {3, 4} <= depths
    assert any(i["fees"] for i in items) and any(not i["fees"] for i in items)
    assert any(i["promised_days"] == 0 for i in items) and any(i["promised_days"] > 0 for i in items)
    assert len(data.themes) >= 6 and len(data.life_events) >= 12
    assert all(i["name_en"] and 3 <= len(i["keywords_en"]) <= 8 for i in items)  # English for every item


def test_the_life_event_map_names_existing_items_and_an_english_name(tmp_path):
    import json
    import shutil

    from guides.errors import CatalogueDataError
    from guides.services.loading import DATA_DIR

    shutil.copytree(DATA_DIR, tmp_path / "data")
    path = tmp_path / "data" / "life_events.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    document["life_events"][0]["items"].append("019999990000")
    del document["life_events"][1]["name_en"]
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CatalogueDataError) as caught:
        read_sample_data(tmp_path / "data")
    assert "019999990000" in str(caught.value) and "name_en" in str(caught.value)


def test_a_broken_seed_file_names_the_file_item_and_rule(tmp_path):
    import json

    from guides.errors import CatalogueDataError

    (tmp_path / "items").mkdir()
    bad = copy.deepcopy(GOOD)
    bad["promised_days"] = 99
    document = {"notice": "示例数据", "department": {"code": "gongan", "number": 1, "name": "市公安局",
                                                  "short_name": "公安"}, "items": [bad, copy.deepcopy(GOOD)]}
    (tmp_path / "items" / "gongan.json").write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CatalogueDataError) as caught:
        read_sample_data(tmp_path)
    message = str(caught.value)
    assert "gongan.json" in message and "010100990000" in message and "promised_days" in message
    assert "重复" in message  # the same code twice
