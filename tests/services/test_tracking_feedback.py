"""A petitioner without an account (an offline petition entered by an agent) rates the result and asks
for review with the petition number and tracking code, under the same rules as account holders."""
from __future__ import annotations

from datetime import timedelta

import pytest

from services.intake import store
from shared import outbox
from shared.runtime import ServiceRuntime
from tests.support.services import auth

from .helpers import VILLAGE, Service, problem_of
from .test_feedback_and_review_api import ANSWERED, FEEDBACK, REASON, T0, Clock, close_first

AGENT = "agt-152525100901-1"
HERDER = {"name": "哨兵其木格", "phone": "13900005566"}


@pytest.fixture
def clock():
    return Clock(T0)


@pytest.fixture
def intake(settings, clock):
    from services.intake.app import SPEC
    runtime = ServiceRuntime(SPEC, settings, clock=clock)
    yield Service(runtime)
    runtime.stop()


def enter(intake) -> dict:
    response = intake.client.post("/api/v1/petitions/offline", headers=auth(intake.settings, "agent", AGENT, VILLAGE),
                                  json={"title": "草场被占", "description": "邻居占用我家草场，协商未果。",
                                        "division": VILLAGE, "category": "complaint", "channel": "horseback",
                                        "contact": HERDER, "entry": {"place": "冬营地"}})
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def rate(intake, petition, code=None, **body):
    return intake.client.post("/api/v1/tracking/feedback", json={
        "number": petition["number"], "code": code or petition["tracking_code"], **FEEDBACK, **body})


def events_of(intake, petition_id) -> list[str]:
    return [e["type"] for e in intake.db[store.PETITIONS].find_one({"_id": petition_id})[outbox.OUTBOX]]


def test_the_tracking_code_rates_a_closed_offline_petition_once(intake, clock):
    petition = enter(intake)
    close_first(intake, petition["id"])
    clock.now = ANSWERED + timedelta(days=1)

    first = rate(intake, petition)
    second = rate(intake, petition, satisfaction="dissatisfied")

    assert first.status_code == 201, first.get_data(as_text=True)
    assert first.get_json()["satisfaction"] == FEEDBACK["satisfaction"]
    problem_of(second, 409, "already-rated")
    assert events_of(intake, petition["id"]).count("petition.rated") == 1


def test_a_wrong_code_rates_nothing_and_answers_like_an_unknown_number(intake, clock):
    petition = enter(intake)
    close_first(intake, petition["id"])
    clock.now = ANSWERED + timedelta(days=1)

    wrong = rate(intake, petition, code="23456789")
    unknown = rate(intake, {**petition, "number": "152525-20250301-09999"})

    problem_of(wrong, 404, "not-found")
    assert wrong.get_json() == unknown.get_json()
    assert "feedback" not in intake.db[store.PETITIONS].find_one({"_id": petition["id"]})


def test_rating_before_closure_with_the_code_is_refused(intake):
    petition = enter(intake)

    problem_of(rate(intake, petition), 409, "not-closed")
    assert "petition.rated" not in events_of(intake, petition["id"])


def test_the_tracking_code_asks_for_review_within_thirty_days(intake, clock):
    petition = enter(intake)
    close_first(intake, petition["id"])
    clock.now = ANSWERED + timedelta(days=2)

    response = intake.client.post("/api/v1/tracking/review", json={
        "number": petition["number"], "code": petition["tracking_code"], "kind": "review", "reason": REASON})

    assert response.status_code == 201, response.get_data(as_text=True)
    assert "petition.review_requested" in events_of(intake, petition["id"])


def test_feedback_look_ups_count_against_the_tracking_limit(make_service):
    from tests.support.services import make_settings
    intake = make_service("intake", make_settings(DAIBAN_TRACKING_ATTEMPTS="2"))
    petition = enter(intake)

    answers = [rate(intake, petition, code="23456789").status_code for _ in range(3)]

    assert answers == [404, 404, 429]
