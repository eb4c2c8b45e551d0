"""Search quality on the shipped sample catalogue, without a database."""

import pytest

from guides.search.build import index_from_data
from guides.services.loading import read_sample_data

from .guides_search_eval_set import EVAL_SET


@pytest.fixture(scope="module")
def index():
    data = read_sample_data()
    return index_from_data(data.items, data.departments, data.themes, life_events=data.life_events)


def top(index, query, n=3):
    return [hit.doc.code for hit in index.search(query).hits[:n]]


def test_evaluation_set_top3_hit_rate_is_at_least_90_percent(index):
    known = set(index.by_code)
    cases = [(q, codes) for q, codes in EVAL_SET if any(c in known for c in codes)]
    assert len(EVAL_SET) >= 100
    misses = [(q, codes, top(index, q)) for q, codes in cases if not set(top(index, q)) & set(codes)]
    rate = 1 - len(misses) / len(cases)
    print(f"\nsearch evaluation: {len(cases)} queries, top-3 hit rate {rate:.1%}")
    for query, expected, got in misses:
        print(f"  miss: {query!r} expected {expected} got {got}")
    assert len(cases) >= 100
    assert rate >= 0.90, misses


def test_words_inside_a_longer_phrase(index):
    assert top(index, "请问一下我家宝宝刚出生要怎么上户口呢", 1) == ["010300060000"]


def test_synonyms_expand_colloquial_words(index):
    result = index.search("换驾照")
    assert "机动车驾驶证" in result.expansions
    assert result.hits[0].doc.code == "010100180000"


def test_full_pinyin_and_initials_find_the_same_item(index):
    assert set(top(index, "shebaoka")) & set(top(index, "sbk")) & {"020800010000", "020800020000", "020800030000"}


def test_homophone_typo_from_a_pinyin_keyboard(index):
    assert "020800020000" in top(index, "社宝卡补办")


def test_latin_typo_is_forgiven(index):
    assert {"020800010000", "020800020000", "020800030000"} & set(top(index, "shebaoak"))


def test_matched_words_are_highlighted(index):
    hit = index.search("我想领失业保险金").hits[0]
    assert hit.doc.code == "020200130000"
    assert hit.name_highlighted == "<em>失业保险金</em>申领"
    assert "失业保险金" in hit.matched


def test_highlight_escapes_html():
    from guides.search.index import highlight

    assert highlight("<b>社保</b>", {"社保"}) == "&lt;b&gt;<em>社保</em>&lt;/b&gt;"


def test_nonsense_gets_suggestions_not_an_empty_answer(index):
    result = index.search("zzqqxx")
    assert result.hits == []
    result = index.search("飞船驾照")
    assert result.hits or result.suggestions


def test_filters_restrict_candidates(index):
    allowed = {i for i, doc in enumerate(index.docs) if doc.department_code == "renshe"}
    codes = [hit.doc.code for hit in index.search("身份证", allowed).hits]
    assert all(code.startswith("02") for code in codes)


def test_ranking_is_deterministic(index):
    assert top(index, "证明", 20) == top(index, "证明", 20)
