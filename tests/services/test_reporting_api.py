"""GET /api/v1/reports/summary: counts for a division and everything below it, within the caller's scope."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from tests.support.services import auth

from .helpers import (OTHER_BANNER_VILLAGE, SIBLING_VILLAGE, VILLAGE, assigned_event, at, fields_of, problem_of,
                      submitted_event)

URL = "/api/v1/reports/summary"
APRIL_1 = datetime(2025, 3, 31, 17, 0, tzinfo=timezone.utc)  # 2025-04-01 01:00 local
APRIL_3 = datetime(2025, 4, 3, 4, 0, tzinfo=timezone.utc)    # 2025-04-03 12:00 local


@pytest.fixture
def reporting(make_service):
    service = make_service("reporting")
    for event in (at(submitted_event(VILLAGE, "pet-1"), APRIL_1),
                  at(assigned_event(VILLAGE, "pet-1", "agt-152525100901-1"), APRIL_1),
                  at(submitted_event(SIBLING_VILLAGE, "pet-2"), APRIL_1),
                  at(submitted_event(OTHER_BANNER_VILLAGE, "pet-3"), APRIL_3)):
        service.deliver(event)
    return service


def summary(service, role="reporter", scope="152500", **query):
    return service.client.get(URL, query_string=query, headers=auth(service.settings, role, "rep-1", scope))


def counts(body) -> tuple[int, int, int]:
    return body["submitted"], body["assigned"], body["mediation_requested"]


def test_the_league_reporter_sees_the_whole_league(reporting):
    response = summary(reporting, division="152500")

    assert response.status_code == 200
    body = response.get_json()
    assert (body["division"], body["name"], body["level"]) == ("152500", "锡林郭勒盟", "league")
    assert counts(body) == (3, 1, 0)
    assert (body["from"], body["to"]) == (None, None)


@pytest.mark.parametrize("division, expected", [
    ("152525", (2, 1, 0)), ("152525100", (1, 1, 0)), (VILLAGE, (1, 1, 0)), (SIBLING_VILLAGE, (1, 0, 0)),
    ("152531", (1, 0, 0)), ("152502", (0, 0, 0)),
])
def test_counts_roll_up_from_villages_to_their_divisions(reporting, division, expected):
    body = summary(reporting, division=division).get_json()

    assert body["division"] == division
    assert counts(body) == expected


@pytest.mark.parametrize("query, expected", [
    ({"from": "2025-04-02"}, (1, 0, 0)),
    ({"to": "2025-04-01"}, (2, 1, 0)),
    ({"from": "2025-04-01", "to": "2025-04-01"}, (2, 1, 0)),
    ({"from": "2025-03-31", "to": "2025-03-31"}, (0, 0, 0)),  # the UTC day of the April 1 events
])
def test_a_date_range_counts_by_local_day(reporting, query, expected):
    body = summary(reporting, division="152500", **query).get_json()

    assert counts(body) == expected
    assert (body["from"], body["to"]) == (query.get("from"), query.get("to"))


def test_a_banner_reporter_sees_their_banner(reporting):
    response = summary(reporting, scope="152531", division="152531")

    assert response.status_code == 200
    assert counts(response.get_json()) == (1, 0, 0)


@pytest.mark.parametrize("scope, division", [("152531", "152500"), ("152531", "152525"),
                                             ("152525100", "152525")])
def test_asking_above_or_beside_ones_scope_is_403_out_of_scope(reporting, scope, division):
    problem = problem_of(summary(reporting, scope=scope, division=division), 403, "out-of-scope")

    assert fields_of(problem) == {"division"}


@pytest.mark.parametrize("query, field", [
    ({"division": "152599"}, "division"),
    ({"division": "abc"}, "division"),
    ({}, "division"),
    ({"division": "152500", "from": "2025-04-03", "to": "2025-04-01"}, "from"),
    ({"division": "152500", "from": "2025-13-01"}, "from"),
], ids=["unknown-division", "not-a-code", "missing-division", "from-after-to", "not-a-date"])
def test_a_bad_query_is_422_naming_the_parameter(reporting, query, field):
    problem = problem_of(summary(reporting, **query), 422, "validation-failed")

    assert field in fields_of(problem)


@pytest.mark.parametrize("role", ["petitioner", "agent", "mediator", "department"])
def test_other_roles_may_not_read_reports(reporting, role):
    problem_of(summary(reporting, role=role, division="152500"), 403, "forbidden")


def test_a_coordinator_reads_their_own_division(reporting):
    response = summary(reporting, role="coordinator", scope="152525", division="152525100")

    assert response.status_code == 200
    assert counts(response.get_json()) == (1, 1, 0)
