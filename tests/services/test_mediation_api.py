"""GET /api/v1/mediations: for mediators, coordinators and admins, within their division."""
from __future__ import annotations

import pytest

from tests.support.services import auth

from .helpers import OTHER_BANNER_VILLAGE, VILLAGE, mediation_requested_event, problem_of

URL = "/api/v1/mediations"


@pytest.fixture
def mediation(make_service):
    service = make_service("mediation")
    service.deliver(mediation_requested_event(VILLAGE, "pet-1"))
    service.deliver(mediation_requested_event(OTHER_BANNER_VILLAGE, "pet-2"))
    return service


def cases(service, role, division):
    return service.client.get(URL, headers=auth(service.settings, role, "someone", division))


@pytest.mark.parametrize("role, division, expected", [
    ("mediator", "152525", {"pet-1"}),
    ("coordinator", "152531", {"pet-2"}),
    ("admin", "152500", {"pet-1", "pet-2"}),
    ("mediator", "152502", set()),
])
def test_mediation_staff_list_the_cases_of_their_division(mediation, role, division, expected):
    response = cases(mediation, role, division)

    assert response.status_code == 200
    page = response.get_json()
    assert {item["petition_id"] for item in page["items"]} == expected
    assert (page["page"], page["per_page"], page["total"]) == (1, 20, len(expected))
    assert all(item["status"] == "requested" and item["kind"] == "people" for item in page["items"])


@pytest.mark.parametrize("role", ["petitioner", "agent", "reporter", "department"])
def test_other_roles_may_not_list_mediations(mediation, role):
    problem_of(cases(mediation, role, "152500"), 403, "forbidden")


def test_listing_mediations_needs_a_token(mediation):
    problem_of(mediation.client.get(URL), 401, "unauthenticated")
