"""``/api/v1/policies`` through HTTP: public, cacheable, searched and listed a page at a time, with
problems for bad input. The service here is built from the policies blueprint alone (the same store,
indexes and start-up hook intake is wired with), so these tests do not depend on intake's wiring.

Choice documented here and in the API: a ``q`` that is empty or only spaces lists the library (as if
absent); a ``q`` with words the library lacks, or only question words, answers an empty page."""
from __future__ import annotations

import pytest

from services.intake import policies
from services.intake.policies import api, store
from shared.runtime import ServiceRuntime, ServiceSpec

from .helpers import Service, fields_of, problem_of

URL = "/api/v1/policies"
SEED = store.seed_entries()
SEED_IDS = sorted(entry["id"] for entry in SEED)
ITEM_FIELDS = {"id", "title", "title_en", "source", "issuing_body", "date", "article", "summary", "tags"}

SPEC = ServiceSpec(name="intake", title="Daiban intake (policies only)", description="policy lookup",
                   blueprints=(api.blp,), indexes=store.INDEXES, on_start=policies.on_start)


@pytest.fixture
def service(settings):
    runtime = ServiceRuntime(SPEC, settings, consume=False)
    yield Service(runtime)
    runtime.stop()


def get(service, path=URL, **params):
    return service.client.get(path, query_string=params)


def test_without_a_token_the_library_lists_in_id_order_with_a_cache_header(service):
    response = get(service)

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=300"
    page = response.get_json()
    assert (page["page"], page["per_page"], page["total"]) == (1, 20, len(SEED))
    assert [item["id"] for item in page["items"]] == SEED_IDS[:20]
    for item in page["items"]:
        assert set(item) == ITEM_FIELDS  # no score when not searching, no internal fields


def test_pages_walk_the_whole_library_without_gaps_or_repeats(service):
    seen = []
    for number in range(1, 5):
        page = get(service, per_page=10, page=number).get_json()
        assert page["total"] == len(SEED)
        seen += [item["id"] for item in page["items"]]
    assert seen == SEED_IDS
    assert len(get(service, per_page=10, page=4).get_json()["items"]) == len(SEED) - 30
    assert get(service, per_page=10, page=5).get_json()["items"] == []


@pytest.mark.parametrize("params, field", [({"per_page": 0}, "per_page"), ({"per_page": 101}, "per_page"),
                                          ({"page": 0}, "page"), ({"page": "two"}, "page"),
                                          ({"tag": ""}, "tag")])
def test_bad_paging_or_tag_is_a_problem_naming_the_field(service, params, field):
    problem = problem_of(get(service, **params), 422, "validation-failed")
    assert field in fields_of(problem)


def test_a_tag_narrows_the_list(service):
    page = get(service, tag="复查").get_json()

    expected = sorted(entry["id"] for entry in SEED if "复查" in entry["tags"])
    assert [item["id"] for item in page["items"]] == expected
    assert page["total"] == len(expected) >= 1
    assert get(service, tag="没有这个标签").get_json() == {"items": [], "page": 1, "per_page": 20, "total": 0}


def test_q_searches_and_ranks_best_first_with_scores(service):
    response = get(service, q="对处理结果不服能复查吗")

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=300"
    page = response.get_json()
    assert page["items"][0]["id"] == "xfgztl-35-review"
    assert "第三十五条" in page["items"][0]["summary"]
    scores = [item["score"] for item in page["items"]]
    assert all(score > 0 for score in scores) and scores == sorted(scores, reverse=True)
    assert all(set(item) == ITEM_FIELDS | {"score"} for item in page["items"])
    assert page["total"] >= len(page["items"])


@pytest.mark.parametrize("q, expected_first", [("复查", "xfgztl-35-review"), ("复核", "xfgztl-36-re-review"),
                                               ("代办收费吗", "xlgl-free-of-charge"),
                                               ("排忧宝", "xlgl-paiyoubao")])
def test_q_finds_the_right_article_first(service, q, expected_first):
    assert get(service, q=q).get_json()["items"][0]["id"] == expected_first


def test_q_for_time_limits_finds_the_statutory_clocks(service):
    found = [item["id"] for item in get(service, q="期限", per_page=100).get_json()["items"]]

    for clock in ("xfgztl-23-notice-15-days", "xfgztl-34-60-days", "xfgztl-34-extension",
                  "xfgztl-35-review", "xfgztl-36-re-review"):
        assert clock in found[:10], (clock, found)


def test_search_results_page_like_lists_and_a_tag_narrows_them(service):
    everything = get(service, q="多久给答复", per_page=100).get_json()
    first = get(service, q="多久给答复", per_page=2, page=1).get_json()
    second = get(service, q="多久给答复", per_page=2, page=2).get_json()

    assert everything["total"] == first["total"] == second["total"] == len(everything["items"]) >= 4
    assert [i["id"] for i in first["items"] + second["items"]] == [i["id"] for i in everything["items"][:4]]

    tagged = get(service, q="多久给答复", tag="代办员", per_page=100).get_json()
    assert tagged["items"] and all("代办员" in item["tags"] for item in tagged["items"])
    assert [i["id"] for i in tagged["items"]] == [i["id"] for i in everything["items"] if "代办员" in i["tags"]]


@pytest.mark.parametrize("q", ["", "   ", "\u3000"])
def test_an_empty_or_blank_q_lists_the_library(service, q):
    page = get(service, q=q).get_json()

    assert page["total"] == len(SEED)
    assert [item["id"] for item in page["items"]] == SEED_IDS[:20]
    assert all("score" not in item for item in page["items"])


@pytest.mark.parametrize("q", ["怎么办？", "明天天气怎么样"])
def test_a_q_the_library_cannot_answer_is_an_empty_page(service, q):
    assert get(service, q=q).get_json() == {"items": [], "page": 1, "per_page": 20, "total": 0}


def test_a_q_longer_than_100_characters_is_a_problem_naming_q(service):
    assert get(service, q="复" * 100).status_code == 200

    problem = problem_of(get(service, q="复" * 101), 422, "validation-failed")
    assert fields_of(problem) == {"q"}


def test_one_entry_by_id(service):
    response = get(service, f"{URL}/xfgztl-36-finality")

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=300"
    entry = response.get_json()
    seeded = next(e for e in SEED if e["id"] == "xfgztl-36-finality")
    assert entry == {name: seeded[name] for name in ITEM_FIELDS}


def test_an_unknown_id_is_a_not_found_problem(service):
    problem = problem_of(get(service, f"{URL}/no-such-policy"), 404, "not-found")
    assert fields_of(problem) == {"policy_id"}


def test_the_operations_are_documented_as_public(service):
    spec = service.client.get("/docs/intake/openapi.json").get_json()

    for path in (URL, URL + "/{policy_id}"):
        operation = spec["paths"][path]["get"]
        assert "security" not in operation and "x-roles" not in operation
    parameters = {p["name"] for p in spec["paths"][URL]["get"]["parameters"]}
    assert {"q", "tag", "page", "per_page"} <= parameters


def test_the_seed_loads_once_and_loading_again_changes_nothing(service):
    version = store.library_version(service.db)

    assert service.db[store.POLICIES].count_documents({}) == len(SEED)
    assert version >= 1
    assert store.load_seed(service.db) == 0
    policies.on_start(service.runtime.context)
    assert store.library_version(service.db) == version
    assert service.db[store.POLICIES].count_documents({}) == len(SEED)


def test_a_changed_seed_entry_is_rewritten_and_searchable_at_once(service):
    changed = [{**entry, "keywords": [*entry["keywords"], "驼铃"]} if entry["id"] == "xlgl-paiyoubao" else entry
               for entry in SEED]
    assert get(service, q="驼铃").get_json()["total"] == 0
    version = store.library_version(service.db)

    assert store.load_seed(service.db, changed) == 1

    assert store.library_version(service.db) == version + 1
    assert [item["id"] for item in get(service, q="驼铃").get_json()["items"]] == ["xlgl-paiyoubao"]


def test_an_entry_edited_outside_the_seed_is_searchable_and_survives_a_restart(service):
    entry = next(e for e in SEED if e["id"] == "xlgl-free-of-charge")
    edited = {**entry, "summary": entry["summary"].replace("公共服务", "公共服务（含勒勒车接送）")}
    get(service, q="代办")  # the index is built and cached

    store.upsert(service.db, edited)
    found = get(service, q="勒勒车").get_json()["items"]
    policies.on_start(service.runtime.context)

    assert [item["id"] for item in found] == ["xlgl-free-of-charge"]
    assert get(service, f"{URL}/xlgl-free-of-charge").get_json()["summary"] == edited["summary"]


def test_a_new_entry_appears_in_lists_and_search(service):
    new = {**SEED[0], "id": "zz-test-entry", "title": "测试条目", "keywords": ["骆驼刺"], "tags": ["测试"]}

    store.upsert(service.db, new)

    assert get(service).get_json()["total"] == len(SEED) + 1
    assert [i["id"] for i in get(service, q="骆驼刺").get_json()["items"]] == ["zz-test-entry"]
    assert get(service, f"{URL}/zz-test-entry").get_json()["title"] == "测试条目"
