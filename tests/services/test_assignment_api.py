"""GET /api/v1/assignments: an agent's own queue, a coordinator's division, a page at a time; one
assignment with the reason its agent was chosen. Assignments come from petition.submitted events
handled against the demo agents."""
from __future__ import annotations

import pytest

from services.assignment import store
from services.registry import SPECS
from shared.runtime import ServiceRuntime
from tests.support.services import auth, make_settings

from .helpers import OTHER_BANNER_VILLAGE, SIBLING_VILLAGE, VILLAGE, Service, problem_of, submitted_event

URL = "/api/v1/assignments"
PETITIONS = {"pet-v1": VILLAGE, "pet-v2": VILLAGE, "pet-v3": VILLAGE,
             "pet-sibling": SIBLING_VILLAGE, "pet-other-banner": OTHER_BANNER_VILLAGE}


@pytest.fixture(scope="module")
def assignment():
    """Shared by this module's tests, which only read (loading the demo agents is the slow part)."""
    service = Service(ServiceRuntime(SPECS["assignment"], make_settings()))
    for serial, (petition_id, village) in enumerate(PETITIONS.items(), start=1):
        service.deliver(submitted_event(village, petition_id, serial=serial))
    yield service
    service.runtime.stop()


def agent_of(service, petition_id) -> dict:
    return service.db[store.ASSIGNMENTS].find_one({"_id": petition_id})["agent"]


def listed(service, role, sub, division, **query) -> dict:
    response = service.client.get(URL, query_string=query, headers=auth(service.settings, role, sub, division))
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def ids(page) -> set[str]:
    return {item["petition_id"] for item in page["items"]}


def test_every_petition_got_an_agent_of_its_village(assignment):
    for petition_id, village in PETITIONS.items():
        assert agent_of(assignment, petition_id)["division"] == village


def test_an_agent_sees_only_their_own_queue(assignment):
    holders = {agent["id"]: agent for agent in (agent_of(assignment, p) for p in PETITIONS)}
    assert len(holders) >= 3  # both village agents share the three petitions of VILLAGE

    for agent_id, agent in holders.items():
        page = listed(assignment, "agent", agent_id, agent["division"])

        assert ids(page) == {p for p in PETITIONS if agent_of(assignment, p)["id"] == agent_id}
        assert {item["holder"]["id"] for item in page["items"]} == {agent_id}
        assert page["total"] == len(page["items"])


def test_an_agent_with_no_cases_sees_an_empty_queue(assignment):
    page = listed(assignment, "agent", "agt-152525104901-1", "152525104901")

    assert page["items"] == [] and page["total"] == 0


@pytest.mark.parametrize("division, expected", [
    ("152525100", {"pet-v1", "pet-v2", "pet-v3"}),
    ("152525", {"pet-v1", "pet-v2", "pet-v3", "pet-sibling"}),
    ("152531", {"pet-other-banner"}),
    ("152500", set(PETITIONS)),
    (SIBLING_VILLAGE, {"pet-sibling"}),
])
def test_a_coordinator_sees_only_their_division(assignment, division, expected):
    page = listed(assignment, "coordinator", "coord-1", division)

    assert ids(page) == expected
    assert page["total"] == len(expected)


def test_assignments_are_paginated(assignment):
    pages = [listed(assignment, "admin", "admin-1", "152500", page=n, per_page=2) for n in (1, 2, 3, 4)]

    assert [len(p["items"]) for p in pages] == [2, 2, 1, 0]
    assert {p["total"] for p in pages} == {len(PETITIONS)}
    assert [p["page"] for p in pages] == [1, 2, 3, 4] and {p["per_page"] for p in pages} == {2}
    assert set().union(*(ids(p) for p in pages)) == set(PETITIONS)


def test_the_list_filters_by_status(assignment):
    assert listed(assignment, "admin", "admin-1", "152500", status="assigned")["total"] == len(PETITIONS)
    assert listed(assignment, "admin", "admin-1", "152500", status="queued")["total"] == 0

    response = assignment.client.get(URL, query_string={"status": "awaiting_coordinator"},
                                     headers=auth(assignment.settings, "admin", "admin-1", "152500"))
    assert {e["field"] for e in problem_of(response, 422, "validation-failed")["errors"]} == {"status"}


@pytest.mark.parametrize("role", ["petitioner", "reporter", "mediator", "department"])
def test_other_roles_may_not_list_assignments(assignment, role):
    response = assignment.client.get(URL, headers=auth(assignment.settings, role, "someone", VILLAGE))

    problem_of(response, 403, "forbidden")


def test_listing_needs_a_token(assignment):
    problem_of(assignment.client.get(URL), 401, "unauthenticated")


def test_one_assignment_shows_its_agent_level_and_reason(assignment):
    headers = auth(assignment.settings, "coordinator", "c", "152525100")

    response = assignment.client.get(f"{URL}/pet-v1", headers=headers)

    assert response.status_code == 200
    one = response.get_json()
    assert one["petition_id"] == "pet-v1" and one["division"] == VILLAGE
    assert one["status"] == "assigned" and one["level"] == "village"
    assert {k: one["holder"][k] for k in ("id", "name", "division")} == \
        {k: agent_of(assignment, "pet-v1")[k] for k in ("id", "name", "division")}
    assert one["reason"].startswith("village agent with the lowest load")
    assert one["received_at"].endswith("+08:00")
    assert one["clocks"]["first_contact"]["due_at"].endswith("+08:00")


def test_the_assigned_agent_reads_their_assignment_and_another_agent_gets_404(assignment):
    agent = agent_of(assignment, "pet-sibling")
    other = agent_of(assignment, "pet-other-banner")

    mine = assignment.client.get(f"{URL}/pet-sibling", headers=auth(assignment.settings, "agent", agent["id"],
                                                                     agent["division"]))
    not_mine = assignment.client.get(f"{URL}/pet-sibling", headers=auth(assignment.settings, "agent", other["id"],
                                                                         other["division"]))

    assert mine.status_code == 200 and mine.get_json()["reason"]
    problem_of(not_mine, 404, "not-found")


@pytest.mark.parametrize("petition_id, division", [("pet-v1", "152531"), ("pet-other-banner", "152525"),
                                                   ("pet-unknown", "152500")])
def test_a_coordinator_outside_the_division_or_an_unknown_id_gets_404(assignment, petition_id, division):
    response = assignment.client.get(f"{URL}/{petition_id}",
                                     headers=auth(assignment.settings, "coordinator", "c", division))

    problem_of(response, 404, "not-found")
