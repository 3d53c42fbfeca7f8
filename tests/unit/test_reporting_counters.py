"""reporting counts each event once, on its village's day, in every counter it moves; the summary
reads the rates the league measures from those counters."""
from __future__ import annotations

import pytest

from services.registry import SPECS
from services.reporting import domain, handlers, store
from shared.events import CATALOGUE
from tests.support.services import auth, make_settings, runtime

from .petition_stream import TOWNSHIP, VILLAGE, context, deliver, event


@pytest.fixture
def reporting():
    ctx = context("reporting", store.INDEXES)
    ctx.extras["handlers"] = handlers.build(ctx)
    return ctx


def count(ctx, *events, division=VILLAGE) -> dict:
    for e in events:
        deliver(ctx.extras["handlers"], e)
    return store.summary(ctx.db, division, None, None)


def moved(totals: dict) -> dict:
    return {name: value for name, value in totals.items() if value}


@pytest.mark.parametrize("name, overrides, counters", [
    ("petition.submitted", {}, {"submitted": 1}),
    ("petition.review_requested", {}, {"review_requested": 1}),
    ("petition.assigned", {}, {"assigned": 1}),
    ("assignment.queued", {}, {"queued": 1}),
    ("assignment.accepted", {}, {"accepted": 1}),
    ("assignment.declined", {}, {"declined": 1}),
    ("petition.contacted", {}, {"contacted": 1}),
    ("petition.verified", {}, {"verified": 1}),
    ("petition.forwarded", {}, {"forwarded": 1}),
    ("petition.department_replied", {"accepted": False}, {"department_objected": 1}),
    ("petition.department_replied", {"accepted": True}, {}),
    ("mediation.requested", {}, {"mediation_requested": 1}),
    ("assignment.escalated", {}, {"escalated": 1}),
    ("assignment.escalated", {"from_level": "township", "to_level": "banner"},
     {"escalated": 1, "escalated_to_banner": 1}),
    ("petition.routed_out", {}, {"routed_out": 1}),
    ("assignment.extended", {}, {"extended": 1}),
    ("petition.closed", {"level": "village", "on_time": False}, {"closed": 1, "closed_village": 1}),
    ("petition.closed", {"level": "township", "on_time": True},
     {"closed": 1, "closed_township": 1, "closed_on_time": 1}),
    ("petition.closed", {"level": "banner", "on_time": True}, {"closed": 1, "closed_banner": 1, "closed_on_time": 1}),
    ("assignment.due_soon", {}, {"due_soon": 1}),
    ("assignment.overdue", {}, {"overdue": 1}),
], ids=lambda value: value if isinstance(value, str) else None)
def test_each_event_moves_its_counters(reporting, name, overrides, counters):
    assert moved(count(reporting, event(name, **overrides))) == counters


def test_a_closure_at_township_on_time_is_counted_in_one_update_everywhere_above(reporting):
    closed = event("petition.closed", level="township", on_time=True)
    count(reporting, closed)
    [doc] = reporting.db[store.DAILY].find({})
    assert doc["counts"] == {"closed": 1, "closed_township": 1, "closed_on_time": 1}
    assert doc["applied"] == [closed.id]
    for division in (VILLAGE, TOWNSHIP, "152531", "152500"):
        assert moved(count(reporting, division=division)) == {"closed": 1, "closed_township": 1, "closed_on_time": 1}


def test_a_redelivered_event_is_counted_once(reporting):
    closed, escalated = event("petition.closed"), event("assignment.escalated", to_level="banner")
    totals = count(reporting, closed, escalated, closed, escalated, closed)
    assert moved(totals) == {"closed": 1, "closed_township": 1, "closed_on_time": 1, "escalated": 1,
                             "escalated_to_banner": 1}


def test_every_event_the_catalogue_sends_to_reporting_has_a_rule_and_every_counter_is_reachable():
    sent = {name for name, kind in CATALOGUE.items() if "reporting" in kind.consumers}
    assert set(domain.RULES) == sent
    assert set(handlers.build(context("reporting"))) == sent
    assert domain.counters_for("petition.vanished", {}) == ()
    reachable = set(domain.SIMPLE.values()) | {"department_objected", "escalated", "escalated_to_banner", "closed",
                                               "closed_village", "closed_township", "closed_banner", "closed_league", "closed_on_time",
                                               "review_requested", "re_review_requested", "rated", "satisfied",
                                               "basically_satisfied", "dissatisfied", "solved",
                                               "contacted_by_petitioner"}
    assert reachable == set(domain.COUNTERS)


# --- rates ------------------------------------------------------------------------------------

def totals(**counts) -> dict:
    return {**domain.empty_summary(), **counts}


def test_rates_are_null_when_there_is_nothing_to_divide_by():
    assert domain.rates(totals()) == {"closure_rate": None, "on_time_rate": None, "grassroots_rate": None,
                                      "escalation_to_banner_rate": None}


def test_rates_follow_the_leagues_definitions():
    figures = totals(submitted=2031, closed=2011, closed_on_time=1990, closed_village=1500, closed_township=480,
                     closed_banner=31, escalated_to_banner=31)
    assert domain.rates(figures) == {"closure_rate": round(2011 / 2031, 4), "on_time_rate": round(1990 / 2011, 4),
                                     "grassroots_rate": round(1980 / 2011, 4),
                                     "escalation_to_banner_rate": round(31 / 2031, 4)}


def test_the_closure_rate_needs_submissions_and_the_others_closures():
    rates = domain.rates(totals(submitted=4, escalated_to_banner=1))
    assert (rates["closure_rate"], rates["escalation_to_banner_rate"]) == (0.0, 0.25)
    assert rates["on_time_rate"] is rates["grassroots_rate"] is None


def test_the_rates_of_a_counted_journey(reporting):
    figures = count(reporting, event("petition.submitted"), event("petition.assigned", 1),
                    event("assignment.escalated", 2), event("petition.closed", 3, level="township", on_time=True),
                    event("petition.submitted", petition_id="pet-2"))
    assert domain.rates(figures) == {"closure_rate": 0.5, "on_time_rate": 1.0, "grassroots_rate": 1.0,
                                     "escalation_to_banner_rate": 0.0}


# --- the summary API --------------------------------------------------------------------------

@pytest.fixture
def service():
    rt = runtime(SPECS["reporting"], make_settings())
    yield rt
    rt.stop()


def test_the_summary_answers_every_counter_and_the_rates_and_documents_them(service):
    rt = service
    handlers_ = handlers.build(rt.context)
    for e in (event("petition.submitted"), event("petition.submitted", petition_id="pet-2"),
              event("petition.closed", level="village", on_time=False, petition_id="pet-2")):
        deliver(handlers_, e)
    client = rt.app().test_client()
    body = client.get("/api/v1/reports/summary", query_string={"division": "152531"},
                      headers=auth(rt.context.settings, "reporter", "rep-1", "152500")).get_json()
    assert {name: body[name] for name in domain.COUNTERS} == {**domain.empty_summary(), "submitted": 2, "closed": 1,
                                                              "closed_village": 1}
    assert body["rates"] == {"closure_rate": 0.5, "on_time_rate": 0.0, "grassroots_rate": 1.0,
                             "escalation_to_banner_rate": 0.0, "response_rate": None, "resolution_rate": None,
                             "satisfaction_rate": None, "combined_score": None}
    schemas = client.get("/docs/reporting/openapi.json").get_json()["components"]["schemas"]
    assert "化解在基层率" in schemas["Rates"]["properties"]["grassroots_rate"]["description"]
    assert "矛盾上交" in schemas["Summary"]["properties"]["escalated_to_banner"]["description"]
