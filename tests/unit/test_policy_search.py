"""Policy search: the seed library is well formed, and citizens' questions find a relevant article in
the first three results (jieba segmentation + BM25)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from services.intake.policies import search, store
from services.intake.policies.search import PolicyIndex, query_tokens, tokens

LIBRARY = store.seed_entries()
INDEX = PolicyIndex(LIBRARY)
BY_ID = {entry["id"]: entry for entry in LIBRARY}

# a question a citizen asks → the entries that answer it (any one of them in the first three is a hit)
QUESTIONS = {
    "多久给答复": {"xfgztl-34-60-days", "xfgztl-23-notice-15-days"},
    "不满意怎么办": {"xfgztl-35-review", "xfgztl-36-re-review", "xlgl-feedback"},
    "土地纠纷找谁": {"land-contract-disputes", "grassland-law-16", "xlgl-agency-system"},
    "草场边界纠纷怎么办": {"grassland-law-16", "xlgl-horseback-agents", "land-contract-disputes"},
    "对处理结果不服能复查吗": {"xfgztl-35-review"},
    "复核以后还能再反映吗": {"xfgztl-36-finality"},
    "举报会不会泄露我的信息": {"xfgztl-30-confidentiality"},
    "可以自己选代办员吗": {"xlgl-choose-agent"},
    "代办收费吗": {"xlgl-free-of-charge"},
    "打官司的事能信访吗": {"xfgztl-31-litigation-separation"},
    "延期要告诉我吗": {"xfgztl-34-extension"},
    "怎么在手机上查进度": {"xfgztl-21-online-query", "xlgl-paiyoubao", "xlgl-offline-proxy"},
    "受理要多长时间": {"xfgztl-23-notice-15-days", "xfgztl-22-registration"},
    "部门说不归他管怎么办": {"xfgztl-23-objection-5-days", "xfgztl-24-several-organs", "xfgztl-handling-duties"},
    "调解达成协议有效吗": {"xfgztl-33-mediation", "people-mediation-agreement"},
    "牧区怎么找代办员": {"xlgl-horseback-agents", "xlgl-agency-system", "xlgl-choose-agent"},
    "可以在网上信访吗": {"xfgztl-17-channels", "xfgztl-21-online-query", "xlgl-paiyoubao"},
    "好几个人一起去上访要注意什么": {"xfgztl-20-visits", "xfgztl-26-orderly"},
    "能不能去政府门口堵门": {"xfgztl-26-orderly"},
    "信访处理意见书里写什么": {"xfgztl-32-opinion-letter"},
    "复核要在多少天内提出": {"xfgztl-36-re-review"},
    "代办员多久会联系我": {"xlgl-first-contact-24h"},
    "村里的事多久能办完": {"xlgl-village-15-days"},
    "提的建议被采纳有奖励吗": {"xfgztl-29-suggestions"},
    "我想举报村干部": {"xfgztl-30-accusations", "xfgztl-30-confidentiality"},
    "信访信要写哪些内容": {"xfgztl-19-written"},
    "事情正在办能不能再去找上级": {"xfgztl-19-same-matter"},
    "办完了怎么评价": {"xlgl-feedback", "xfgztl-21-online-query"},
    "老人不会用手机怎么反映问题": {"xlgl-offline-proxy"},
    "村里解决不了怎么办": {"xlgl-levels"},
    "土地承包合同纠纷可以仲裁吗": {"land-contract-disputes"},
    "举报了会被打击报复吗": {"xfgztl-30-confidentiality", "xfgztl-rights-duties"},
}


def top_ids(query: str, n: int = 3) -> list[str]:
    return [hit.id for hit in INDEX.search(query)[:n]]


# ---- the library ---------------------------------------------------------------------------------

def test_the_library_has_25_to_40_well_formed_entries_with_unique_slugs():
    assert 25 <= len(LIBRARY) <= 40
    assert len(BY_ID) == len(LIBRARY)
    for entry in LIBRARY:
        store.check_entry(entry)  # raises on a malformed entry


def test_every_summary_cites_its_article_in_60_to_250_characters():
    for entry in LIBRARY:
        assert 60 <= len(entry["summary"]) <= 250, entry["id"]
        assert entry["article"] in entry["summary"], entry["id"]
        assert re.search(r"[\u4e00-\u9fff]", entry["title"]), entry["id"]
        assert re.search(r"[A-Za-z]{3}", entry["title_en"]), entry["id"]  # something English clients can show


def test_the_regulation_entries_are_dated_2022_05_01_and_local_rules_are_marked_as_examples():
    regulation = [e for e in LIBRARY if e["source"] == "信访工作条例"]
    local = [e for e in LIBRARY if "锡林郭勒盟" in e["source"]]
    assert len(regulation) >= 20 and len(local) >= 8
    assert {e["date"] for e in regulation} == {"2022-05-01"}
    assert all("示例" in e["article"] and "示例" in e["issuing_body"] for e in local)


def test_the_statutory_clocks_are_all_covered_with_their_articles():
    articles = {entry["id"]: entry["article"] for entry in LIBRARY}
    assert articles["xfgztl-23-notice-15-days"] == "第二十三条"
    assert articles["xfgztl-23-objection-5-days"] == "第二十三条"
    assert articles["xfgztl-34-60-days"] == articles["xfgztl-34-extension"] == "第三十四条"
    assert articles["xfgztl-35-review"] == "第三十五条"
    assert articles["xfgztl-36-re-review"] == articles["xfgztl-36-finality"] == "第三十六条"
    assert "15日" in BY_ID["xfgztl-23-notice-15-days"]["summary"]
    assert "5个工作日" in BY_ID["xfgztl-23-objection-5-days"]["summary"]
    assert "60日" in BY_ID["xfgztl-34-60-days"]["summary"] and "30日" in BY_ID["xfgztl-34-extension"]["summary"]


def test_a_malformed_entry_is_refused():
    good = dict(BY_ID["xfgztl-35-review"])
    for broken in ({**good, "id": "Not A Slug"}, {**good, "summary": "太短"}, {**good, "date": "2022-13-01"},
                   {**good, "tags": []}, {k: v for k, v in good.items() if k != "article"}):
        with pytest.raises(ValueError):
            store.check_entry(broken)


# ---- tokenisation --------------------------------------------------------------------------------

def test_tokens_drop_punctuation_and_question_words_and_keep_the_meaning():
    words = tokens("对处理结果不服，能复查吗？")
    assert "复查" in words and "不服" in words and "处理结果" in words
    assert not {"吗", "，", "？", "能", "对"} & set(words)


def test_query_tokens_count_each_word_once():
    assert query_tokens("复查 复查 复查") == ["复查"]


def test_a_question_of_only_question_words_or_punctuation_has_no_words():
    assert tokens("怎么办？？ 吗") == []
    assert INDEX.search("怎么办？") == []
    assert INDEX.search("   ") == []


# ---- ranking -------------------------------------------------------------------------------------

@pytest.mark.parametrize("question", sorted(QUESTIONS))
def test_a_citizen_question_finds_a_relevant_article_in_the_first_three(question):
    found = top_ids(question)
    assert set(found) & QUESTIONS[question], f"{question}: got {found}, expected one of {QUESTIONS[question]}"


def test_the_question_set_is_large_enough_and_its_top_3_hit_rate_is_100_percent(capsys):
    assert len(QUESTIONS) >= 15
    assert set().union(*QUESTIONS.values()) <= set(BY_ID)
    hits = sum(bool(set(top_ids(question)) & relevant) for question, relevant in QUESTIONS.items())
    rate = hits / len(QUESTIONS)
    with capsys.disabled():
        print(f"\npolicy search: top-3 hit rate {hits}/{len(QUESTIONS)} = {rate:.0%}")
    assert rate == 1.0


def test_fucha_review_finds_the_review_article_first_then_re_review():
    assert top_ids("复查", 2) == ["xfgztl-35-review", "xfgztl-36-re-review"]


def test_fuhe_re_review_finds_the_re_review_articles_first():
    assert set(top_ids("复核", 2)) == {"xfgztl-36-re-review", "xfgztl-36-finality"}


def test_qixian_time_limits_finds_the_articles_with_time_limits():
    hits = INDEX.search("期限")
    found = [hit.id for hit in hits]
    with_limits = {entry["id"] for entry in LIBRARY if "期限" in entry["tags"]}
    assert {"xfgztl-34-60-days", "xfgztl-23-notice-15-days", "xfgztl-35-review", "xfgztl-36-re-review",
            "xfgztl-34-extension"} <= set(found)
    assert set(found[:len(with_limits)]) == with_limits  # every entry about a time limit before any other


def test_results_are_positive_best_first_and_a_question_the_library_cannot_answer_finds_nothing():
    hits = INDEX.search("不满意怎么办")
    assert hits and all(hit.score > 0 for hit in hits)
    assert [hit.score for hit in hits] == sorted((hit.score for hit in hits), reverse=True)
    assert INDEX.search("明天天气怎么样") == []
    assert INDEX.search("xyzzy") == []


def test_equal_scores_are_ordered_by_id_whatever_the_input_order():
    twins = [{"id": name, "title": "草场纠纷", "summary": "草场边界纠纷的处理办法。", "tags": ["草场"], "keywords": []}
             for name in ("c-entry", "a-entry", "b-entry")]
    other = {"id": "d-entry", "title": "复查", "summary": "对处理意见不服可以请求复查。", "tags": ["复查"], "keywords": []}

    for ordering in (twins + [other], [other] + twins[::-1]):
        hits = PolicyIndex(ordering).search("草场")
        assert [hit.id for hit in hits] == ["a-entry", "b-entry", "c-entry"]
        assert len({hit.score for hit in hits}) == 1


def test_an_empty_library_answers_nothing():
    assert PolicyIndex([]).search("复查") == []
    assert len(PolicyIndex([])) == 0


def test_the_search_module_does_no_io():
    source = Path(search.__file__).read_text(encoding="utf-8")
    assert not re.search(r"\b(open|requests|pymongo|Path)\b\s*[(.]", source)
