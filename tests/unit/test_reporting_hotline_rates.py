"""The hotline evaluation (接诉即办) in reporting: petition.rated moves the rating counters, review
requests count re-reviews apart, and the summary reads response, resolution and satisfaction rates and
their combined score from them, weighted as the settings say."""
from __future__ import annotations

from datetime import timedelta

import pytest

from services.registry import SPECS
from services.reporting import domain, handlers, store
from shared.events import new_event
from tests.support.services import auth, make_settings, runtime

from .petition_stream import NOW, VILLAGE, context, deliver, event


def rated(petition_id: str, satisfaction: str, solved: bool, contacted: bool):
    return new_event("petition.rated", {
        "petition_id": petition_id, "agent_id": "agt-1", "level": "village", "satisfaction": satisfaction,
        "solved": solved, "contacted": contacted, "rated_at": NOW + timedelta(days=4)},
        division=VILLAGE, correlation_id=petition_id, sequence=2)


@pytest.fixture
def reporting():
    ctx = context("reporting", store.INDEXES)
    ctx.extras["handlers"] = handlers.build(ctx)
    return ctx


def count(ctx, *events) -> dict:
    for e in events:
        deliver(ctx.extras["handlers"], e)
    return store.summary(ctx.db, VILLAGE, None, None)


def moved(totals: dict) -> dict:
    return {name: value for name, value in totals.items() if value}


def totals(**counts) -> dict:
    return {**domain.empty_summary(), **counts}


# --- counters ---------------------------------------------------------------------------------

@pytest.mark.parametrize("satisfaction, solved, contacted, counters", [
    ("satisfied", True, True, {"rated": 1, "satisfied": 1, "solved": 1, "contacted_by_petitioner": 1}),
    ("basically_satisfied", False, True, {"rated": 1, "basically_satisfied": 1, "contacted_by_petitioner": 1}),
    ("dissatisfied", False, False, {"rated": 1, "dissatisfied": 1}),
])
def test_a_rating_moves_its_counters(reporting, satisfaction, solved, contacted, counters):
    assert moved(count(reporting, rated("pet-1", satisfaction, solved, contacted))) == counters


def test_a_redelivered_rating_is_counted_once(reporting):
    once = rated("pet-1", "satisfied", True, True)
    assert moved(count(reporting, once, once)) == {"rated": 1, "satisfied": 1, "solved": 1,
                                                    "contacted_by_petitioner": 1}


def test_reviews_and_re_reviews_are_both_review_requests_and_re_reviews_are_counted_apart(reporting):
    figures = count(reporting, event("petition.review_requested", kind="review"),
                    event("petition.review_requested", petition_id="pet-2", kind="re_review"))
    assert moved(figures) == {"review_requested": 2, "re_review_requested": 1}


def test_the_new_counters_are_documented_and_reachable():
    reachable = {c for name, rule in domain.RULES.items() if name in ("petition.rated", "petition.review_requested")
                 for data in ({"satisfaction": s, "solved": True, "contacted": True, "kind": k}
                              for s in ("satisfied", "basically_satisfied", "dissatisfied")
                              for k in ("review", "re_review"))
                 for c in rule(data)}
    assert reachable == {"rated", "satisfied", "basically_satisfied", "dissatisfied", "solved",
                         "contacted_by_petitioner", "review_requested", "re_review_requested"}
    assert reachable <= set(domain.COUNTERS)


# --- rates ------------------------------------------------------------------------------------

def test_nothing_rated_leaves_every_hotline_rate_null():
    assert domain.hotline_rates(totals(submitted=5, closed=5), 0.9, (0.1, 0.5, 0.4)) == {
        "response_rate": None, "resolution_rate": None, "satisfaction_rate": None, "combined_score": None}


def test_the_hotline_rates_follow_the_common_definitions():
    figures = totals(rated=10, satisfied=6, basically_satisfied=3, dissatisfied=1, solved=7,
                     contacted_by_petitioner=9)
    satisfaction = (6 + 0.9 * 3) / 10
    assert domain.hotline_rates(figures, 0.9, (0.1, 0.5, 0.4)) == {
        "response_rate": 0.9, "resolution_rate": 0.7, "satisfaction_rate": round(satisfaction, 4),
        "combined_score": round(0.1 * 0.9 + 0.5 * 0.7 + 0.4 * satisfaction, 4)}
    assert satisfaction == pytest.approx(0.87)


def test_the_weights_and_the_basic_satisfaction_weight_are_settings():
    figures = totals(rated=4, satisfied=1, basically_satisfied=2, dissatisfied=1, solved=2, contacted_by_petitioner=4)
    rates = domain.hotline_rates(figures, 0.5, (0.2, 0.3, 0.5))
    assert rates["satisfaction_rate"] == 0.5
    assert rates["combined_score"] == round(0.2 * 1.0 + 0.3 * 0.5 + 0.5 * 0.5, 4)


def test_all_satisfied_solved_and_contacted_scores_one():
    figures = totals(rated=3, satisfied=3, solved=3, contacted_by_petitioner=3)
    assert set(domain.hotline_rates(figures, 0.9, (0.1, 0.5, 0.4)).values()) == {1.0}


def test_the_summary_rates_are_the_leagues_and_the_hotlines():
    settings = make_settings(DAIBAN_BASIC_SATISFACTION_WEIGHT="0.8", DAIBAN_HOTLINE_WEIGHTS="0.2,0.4,0.4")
    figures = totals(submitted=2, closed=2, closed_village=2, rated=2, satisfied=1, basically_satisfied=1, solved=1,
                     contacted_by_petitioner=2)
    assert domain.all_rates(figures, settings) == {
        **domain.rates(figures), "response_rate": 1.0, "resolution_rate": 0.5, "satisfaction_rate": 0.9,
        "combined_score": round(0.2 + 0.4 * 0.5 + 0.4 * 0.9, 4)}
    assert set(domain.all_rates(figures, settings)) == set(domain.RATES)


# --- through the summary API ------------------------------------------------------------------

@pytest.fixture
def service():
    rt = runtime(SPECS["reporting"], make_settings())
    yield rt
    rt.stop()


def test_the_summary_answers_the_hotline_rates_and_documents_them(service):
    handlers_ = handlers.build(service.context)
    for e in (rated("pet-1", "satisfied", True, True), rated("pet-2", "basically_satisfied", False, True),
              rated("pet-3", "dissatisfied", False, False), rated("pet-4", "satisfied", True, False),
              event("petition.review_requested", petition_id="pet-3", kind="review")):
        deliver(handlers_, e)
    client = service.app().test_client()
    body = client.get("/api/v1/reports/summary", query_string={"division": "152531"},
                      headers=auth(service.context.settings, "reporter", "rep-1", "152500")).get_json()

    assert (body["rated"], body["satisfied"], body["basically_satisfied"], body["dissatisfied"]) == (4, 2, 1, 1)
    assert (body["solved"], body["contacted_by_petitioner"], body["review_requested"]) == (2, 2, 1)
    assert body["re_review_requested"] == 0
    satisfaction = (2 + 0.9) / 4
    assert {name: body["rates"][name] for name in domain.HOTLINE_RATES} == {
        "response_rate": 0.5, "resolution_rate": 0.5, "satisfaction_rate": round(satisfaction, 4),
        "combined_score": round(0.1 * 0.5 + 0.5 * 0.5 + 0.4 * satisfaction, 4)}
    schemas = client.get("/docs/reporting/openapi.json").get_json()["components"]["schemas"]
    assert "满意率" in schemas["Rates"]["properties"]["satisfaction_rate"]["description"]
    assert "0.9" in schemas["Rates"]["properties"]["satisfaction_rate"]["description"]
    assert set(domain.HOTLINE_RATES) <= set(schemas["Rates"]["properties"])
    assert "基本满意" in schemas["Summary"]["properties"]["basically_satisfied"]["description"]


def test_a_period_without_ratings_answers_null_hotline_rates(service):
    deliver(handlers.build(service.context), event("petition.submitted"))
    body = service.app().test_client().get(
        "/api/v1/reports/summary", query_string={"division": VILLAGE},
        headers=auth(service.context.settings, "reporter", "rep-1", "152500")).get_json()
    assert body["submitted"] == 1
    assert [body["rates"][name] for name in domain.HOTLINE_RATES] == [None] * 4
