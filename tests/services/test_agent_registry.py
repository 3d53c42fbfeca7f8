"""The agent registry (/api/v1/staff/agents): coordinators register, update and deactivate agents in
their division; every change leaves its agent.* event in the agent's outbox; stale versions get 409;
bad input gets 422 and stores nothing."""
from __future__ import annotations

import json

import pytest

from services.assignment import agents_api, agents_store, demo_data
from shared.events import parse_envelope, validate_data
from shared.runtime import ServiceRuntime, ServiceSpec
from tests.support.services import auth

from .helpers import OTHER_BANNER_VILLAGE, SIBLING_VILLAGE, VILLAGE, Service, fields_of, problem_of

URL = "/api/v1/staff/agents"
TOWNSHIP = VILLAGE[:9]
BANNER = VILLAGE[:6]
SPEC = ServiceSpec(name="assignment", title="agent registry under test", description="",
                   blueprints=(agents_api.blp,), indexes=agents_store.INDEXES,
                   outbox_collections=(agents_store.AGENTS,))


@pytest.fixture
def registry(settings):
    service = Service(ServiceRuntime(SPEC, settings))
    yield service
    service.runtime.stop()


def body(**overrides) -> dict:
    return {"kind": "grid_worker", "name": "巴特尔（示例）", "division": VILLAGE, "languages": ["mn", "zh"],
            "specialities": ["land_grassland"], "capacity": 6, **overrides}


def as_(service, role="coordinator", division=TOWNSHIP, sub="coord-1") -> dict:
    return auth(service.settings, role, sub, division)


def register(service, headers=None, **overrides):
    return service.client.post(URL, json=body(**overrides), headers=headers or as_(service))


def registered(service, **overrides) -> dict:
    response = register(service, **overrides)
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def outbox_of(service, agent_id) -> list:
    """The agent's pending events, as a consumer would receive them: envelope and data validated."""
    document = service.db[agents_store.AGENTS].find_one({"_id": agent_id})
    events = [parse_envelope(json.loads(json.dumps(message))) for message in document["outbox"]]
    return [(event, validate_data(event)) for event in events]


def agent_count(service) -> int:
    return service.db[agents_store.AGENTS].count_documents({})


# --- register --------------------------------------------------------------------------------------

def test_a_township_coordinator_registers_a_village_agent_and_agent_registered_is_in_its_outbox(registry):
    response = register(registry)

    assert response.status_code == 201
    agent = response.get_json()
    assert agent["id"].startswith("agt-") and len(agent["id"]) == 36
    assert response.headers["Location"] == f"{URL}/{agent['id']}"
    assert response.headers["ETag"] == '"1"'
    assert (agent["level"], agent["active"], agent["synthetic"], agent["version"]) == ("village", True, False, 1)
    [(event, data)] = outbox_of(registry, agent["id"])
    assert (event.type, event.division, event.banner, event.correlation_id) == (
        "agent.registered", VILLAGE, BANNER, agent["id"])
    assert event.producer == "assignment" and event.sequence == 1
    assert data == {"agent_id": agent["id"], "name": "巴特尔（示例）", "kind": "grid_worker", "division": VILLAGE,
                    "level": "village", "languages": ["mn", "zh"], "specialities": ["land_grassland"],
                    "capacity": 6, "active": True, "synthetic": False}


@pytest.mark.parametrize("division, level", [(TOWNSHIP, "township"), (BANNER, "banner")])
def test_the_level_follows_the_division_code(registry, division, level):
    agent = registered(registry, division=division, headers=as_(registry, division=BANNER))

    assert agent["level"] == level
    assert outbox_of(registry, agent["id"])[0][1]["level"] == level


@pytest.mark.parametrize("role, division", [("coordinator", TOWNSHIP), ("coordinator", BANNER),
                                            ("coordinator", VILLAGE), ("admin", "152500")])
def test_coordinators_and_admins_register_within_their_division(registry, role, division):
    assert register(registry, headers=as_(registry, role, division)).status_code == 201


@pytest.mark.parametrize("role", ["agent", "petitioner", "department", "mediator", "reporter"])
def test_other_roles_may_not_register_agents(registry, role):
    problem_of(register(registry, headers=as_(registry, role, BANNER)), 403, "forbidden")

    assert agent_count(registry) == 0


@pytest.mark.parametrize("coordinator, division", [
    (TOWNSHIP, SIBLING_VILLAGE),          # a village of another township
    (TOWNSHIP, BANNER),                   # above the township
    (BANNER, OTHER_BANNER_VILLAGE),       # another banner
    (VILLAGE, TOWNSHIP),                  # a village coordinator above its village
])
def test_a_coordinator_may_not_register_outside_their_division(registry, coordinator, division):
    response = register(registry, headers=as_(registry, division=coordinator), division=division)

    assert fields_of(problem_of(response, 403, "out-of-scope")) == {"division"}
    assert agent_count(registry) == 0


@pytest.mark.parametrize("overrides, field", [
    ({"division": "152525100999"}, "division"),      # well-formed, not a known village
    ({"division": "152500"}, "division"),            # the league is not an agent's division
    ({"division": "1525251"}, "division"),
    ({"kind": "sheriff"}, "kind"),
    ({"languages": []}, "languages"),
    ({"languages": ["fr"]}, "languages.0"),
    ({"specialities": ["weather"]}, "specialities.0"),
    ({"capacity": -1}, "capacity"),
    ({"capacity": 101}, "capacity"),
    ({"name": ""}, "name"),
    ({"name": "巴特尔 13800138000"}, "name"),          # a phone number
    ({"name": "11010519491231002X"}, "name"),        # an ID number
    ({"id": "agt-mine"}, "id"),                      # ids are given, not chosen
    ({"synthetic": True}, "synthetic"),
])
def test_bad_input_is_refused_with_the_field_and_nothing_is_stored(registry, overrides, field):
    problem = problem_of(register(registry, **overrides), 422, "validation-failed")

    assert field in fields_of(problem)
    assert agent_count(registry) == 0


def test_a_missing_field_is_named(registry):
    response = registry.client.post(URL, json={"name": "巴特尔（示例）"}, headers=as_(registry))

    assert fields_of(problem_of(response, 422, "validation-failed")) == {"kind", "division", "languages", "capacity"}
    assert agent_count(registry) == 0


def test_registering_needs_a_token(registry):
    problem_of(registry.client.post(URL, json=body()), 401, "unauthenticated")


# --- Idempotency-Key -------------------------------------------------------------------------------

def keyed(service, key="reg-1", sub="coord-1", **overrides):
    return register(service, {**as_(service, sub=sub), "Idempotency-Key": key}, **overrides)


def registered_events(service) -> int:
    return sum(1 for document in service.db[agents_store.AGENTS].find()
               for message in document.get("outbox", []) if message["type"] == "agent.registered")


def test_the_same_key_and_body_register_one_agent_with_one_event(registry):
    first = keyed(registry)
    again = keyed(registry)

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.get_json() == first.get_json()
    assert again.headers["Location"] == first.headers["Location"] and again.headers["ETag"] == '"1"'
    assert again.headers["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first.headers
    assert agent_count(registry) == 1 and registered_events(registry) == 1
    assert "idempotency_key" not in again.get_json() and "request_fingerprint" not in again.get_json()


def test_the_same_key_with_another_body_is_refused_and_changes_nothing(registry):
    first = keyed(registry).get_json()

    problem = problem_of(keyed(registry, capacity=7), 422, "idempotency-key-reused")

    assert fields_of(problem) == {"Idempotency-Key"}
    assert agent_count(registry) == 1 and registered_events(registry) == 1
    assert agents_store.get(registry.db, first["id"])["capacity"] == 6


def test_two_coordinators_may_use_the_same_key(registry):
    one = keyed(registry, sub="coord-1")
    other = keyed(registry, sub="coord-2")

    assert (one.status_code, other.status_code) == (201, 201)
    assert one.get_json()["id"] != other.get_json()["id"]
    assert "Idempotent-Replayed" not in other.headers
    assert agent_count(registry) == 2 and registered_events(registry) == 2


def test_a_key_too_long_is_refused_and_stores_nothing(registry):
    problem = problem_of(keyed(registry, key="k" * 129), 400, "invalid-idempotency-key")

    assert fields_of(problem) == {"Idempotency-Key"}
    assert agent_count(registry) == 0


def test_a_concurrent_request_with_the_same_key_answers_the_agent_it_created(registry, monkeypatch):
    first = keyed(registry).get_json()
    lookups = iter([None])   # the second request looks before the first has inserted
    real = agents_store.find_by_idempotency_key
    monkeypatch.setattr(agents_store, "find_by_idempotency_key", lambda db, key: next(lookups, real(db, key)))

    again = keyed(registry)

    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json()["id"] == first["id"]
    assert agent_count(registry) == 1 and registered_events(registry) == 1


# --- update ----------------------------------------------------------------------------------------

def patch(service, agent_id, changes, headers=None, if_match=None):
    headers = dict(headers or as_(service))
    if if_match is not None:
        headers["If-Match"] = if_match
    return service.client.patch(f"{URL}/{agent_id}", json=changes, headers=headers)


def test_an_update_with_if_match_emits_agent_updated_with_the_whole_profile(registry):
    agent = registered(registry)

    response = patch(registry, agent["id"], {"capacity": 9, "specialities": ["housing"]}, if_match='"1"')

    assert response.status_code == 200, response.get_data(as_text=True)
    updated = response.get_json()
    assert (updated["capacity"], updated["specialities"], updated["version"]) == (9, ["housing"], 2)
    assert response.headers["ETag"] == '"2"'
    [_, (event, data)] = outbox_of(registry, agent["id"])
    assert (event.type, event.sequence) == ("agent.updated", 2)
    assert data["capacity"] == 9 and data["specialities"] == ["housing"]
    assert data["name"] == agent["name"] and data["languages"] == ["mn", "zh"]


def test_moving_an_agent_to_the_township_changes_its_level(registry):
    agent = registered(registry)

    updated = patch(registry, agent["id"], {"division": TOWNSHIP, "version": 1}).get_json()

    assert (updated["division"], updated["level"]) == (TOWNSHIP, "township")
    assert outbox_of(registry, agent["id"])[-1][1]["level"] == "township"
    assert outbox_of(registry, agent["id"])[-1][0].division == TOWNSHIP


def test_a_stale_version_gets_409_and_changes_nothing(registry):
    agent = registered(registry)
    assert patch(registry, agent["id"], {"capacity": 9}, if_match='"1"').status_code == 200

    response = patch(registry, agent["id"], {"capacity": 3}, if_match='"1"')

    problem = problem_of(response, 409, "version-conflict")
    assert problem["current_version"] == 2
    stored = agents_store.get(registry.db, agent["id"])
    assert (stored["capacity"], stored["version"]) == (9, 2)
    assert len(outbox_of(registry, agent["id"])) == 2


def test_the_second_of_two_coordinators_who_read_the_same_version_loses(registry):
    agent = registered(registry)
    first = patch(registry, agent["id"], {"capacity": 4, "version": 1})
    second = patch(registry, agent["id"], {"name": "巴特尔（二）", "version": 1},
                   headers=as_(registry, division=BANNER, sub="coord-2"))

    assert first.status_code == 200
    problem_of(second, 409, "version-conflict")
    assert agents_store.get(registry.db, agent["id"])["name"] == "巴特尔（示例）"


def test_an_update_without_a_version_is_refused(registry):
    agent = registered(registry)

    problem = problem_of(patch(registry, agent["id"], {"capacity": 2}), 428, "precondition-required")

    assert fields_of(problem) == {"If-Match"}
    assert agents_store.get(registry.db, agent["id"])["capacity"] == 6


@pytest.mark.parametrize("changes, if_match, status, field", [
    ({"capacity": 2, "version": 2}, '"1"', 422, "version"),
    ({"capacity": 2}, "yesterday", 422, "If-Match"),
    ({"id": "agt-other", "version": 1}, None, 422, "id"),
    ({"division": "152525100999", "version": 1}, None, 422, "division"),
    ({"name": "电话 0479-8221234", "version": 1}, None, 422, "name"),
    ({"division": OTHER_BANNER_VILLAGE, "version": 1}, None, 403, "division"),
])
def test_a_bad_update_is_refused_and_changes_nothing(registry, changes, if_match, status, field):
    agent = registered(registry)

    response = patch(registry, agent["id"], changes, if_match=if_match)

    assert response.status_code == status and field in fields_of(response.get_json())
    stored = agents_store.get(registry.db, agent["id"])
    assert (stored["version"], stored["division"], stored["capacity"]) == (1, VILLAGE, 6)
    assert len(outbox_of(registry, agent["id"])) == 1


def test_an_update_that_changes_nothing_emits_nothing(registry):
    agent = registered(registry)

    response = patch(registry, agent["id"], {"capacity": 6, "languages": ["mn", "zh", "mn"]}, if_match='"1"')

    assert response.status_code == 200 and response.get_json()["version"] == 1
    assert len(outbox_of(registry, agent["id"])) == 1


def test_a_coordinator_may_not_update_an_agent_outside_their_division(registry):
    agent = registered(registry)

    response = patch(registry, agent["id"], {"capacity": 2, "version": 1},
                     headers=as_(registry, division=SIBLING_VILLAGE[:9]))

    problem_of(response, 403, "out-of-scope")
    assert agents_store.get(registry.db, agent["id"])["capacity"] == 6


def test_an_unknown_agent_is_404(registry):
    problem_of(patch(registry, "agt-ghost", {"capacity": 2, "version": 1}), 404, "not-found")
    problem_of(registry.client.get(f"{URL}/agt-ghost", headers=as_(registry)), 404, "not-found")


# --- deactivate ------------------------------------------------------------------------------------

def deactivate(service, agent_id, reason="moved away", headers=None, **extra):
    return service.client.post(f"{URL}/{agent_id}/deactivate", json={"reason": reason, **extra},
                               headers=headers or as_(service))


def test_deactivating_emits_agent_deactivated_with_the_reason(registry):
    agent = registered(registry)

    response = deactivate(registry, agent["id"])

    assert response.status_code == 200
    assert (response.get_json()["active"], response.get_json()["deactivation_reason"]) == (False, "moved away")
    [_, (event, data)] = outbox_of(registry, agent["id"])
    assert (event.type, event.sequence, event.division) == ("agent.deactivated", 2, VILLAGE)
    assert data == {"agent_id": agent["id"], "reason": "moved away"}


def test_deactivating_twice_is_a_conflict_and_emits_once(registry):
    agent = registered(registry)
    deactivate(registry, agent["id"])

    problem_of(deactivate(registry, agent["id"]), 409, "already-inactive")

    assert [e.type for e, _ in outbox_of(registry, agent["id"])] == ["agent.registered", "agent.deactivated"]


def test_deactivating_with_a_stale_version_is_a_conflict(registry):
    agent = registered(registry)
    patch(registry, agent["id"], {"capacity": 2, "version": 1})

    problem_of(deactivate(registry, agent["id"], version=1), 409, "version-conflict")

    assert agents_store.get(registry.db, agent["id"])["active"] is True


def test_an_inactive_agent_is_reactivated_by_an_update(registry):
    agent = registered(registry)
    deactivate(registry, agent["id"])

    response = patch(registry, agent["id"], {"active": True}, if_match='"2"')

    assert (response.get_json()["active"], response.get_json()["deactivation_reason"]) == (True, None)
    [*_, (event, data)] = outbox_of(registry, agent["id"])
    assert (event.type, event.sequence, data["active"]) == ("agent.updated", 3, True)


@pytest.mark.parametrize("reason", ["", "x" * 201])
def test_deactivating_needs_a_reason(registry, reason):
    agent = registered(registry)

    assert fields_of(problem_of(deactivate(registry, agent["id"], reason), 422, "validation-failed")) == {"reason"}
    assert agents_store.get(registry.db, agent["id"])["active"] is True


@pytest.mark.parametrize("role, division, status", [("agent", VILLAGE, 403), ("petitioner", VILLAGE, 403),
                                                    ("coordinator", OTHER_BANNER_VILLAGE[:6], 403)])
def test_only_coordinators_of_the_division_deactivate(registry, role, division, status):
    agent = registered(registry)

    response = deactivate(registry, agent["id"], headers=as_(registry, role, division))

    assert response.status_code == status
    assert agents_store.get(registry.db, agent["id"])["active"] is True


# --- read and list ---------------------------------------------------------------------------------

@pytest.fixture
def roster(registry):
    """Four agents over two townships of one banner and one of another banner."""
    banner = as_(registry, "admin", "152500")
    made = {
        "v-mn": registered(registry, headers=banner),
        "v-zh": registered(registry, headers=banner, languages=["zh"], kind="volunteer", specialities=["housing"]),
        "t": registered(registry, headers=banner, division=TOWNSHIP),
        "sibling": registered(registry, headers=banner, division=SIBLING_VILLAGE),
        "far": registered(registry, headers=banner, division=OTHER_BANNER_VILLAGE),
    }
    deactivate(registry, made["t"]["id"], headers=banner)
    return {key: agent["id"] for key, agent in made.items()}


def listed(service, headers, **query) -> dict:
    response = service.client.get(URL, query_string=query, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def keys(roster, page) -> set[str]:
    by_id = {agent_id: key for key, agent_id in roster.items()}
    return {by_id[item["id"]] for item in page["items"]}


@pytest.mark.parametrize("division, query, expected", [
    (TOWNSHIP, {}, {"v-mn", "v-zh", "t"}),
    (BANNER, {}, {"v-mn", "v-zh", "t", "sibling"}),
    ("152500", {}, {"v-mn", "v-zh", "t", "sibling", "far"}),
    ("152500", {"division": OTHER_BANNER_VILLAGE[:6]}, {"far"}),
    (BANNER, {"division": VILLAGE}, {"v-mn", "v-zh"}),
    (BANNER, {"active": "false"}, {"t"}),
    (BANNER, {"language": "mn"}, {"v-mn", "t", "sibling"}),
    (BANNER, {"speciality": "housing"}, {"v-zh"}),
    (BANNER, {"kind": "volunteer"}, {"v-zh"}),
])
def test_the_list_shows_the_callers_division_with_filters(registry, roster, division, query, expected):
    page = listed(registry, as_(registry, division=division), **query)

    assert keys(roster, page) == expected and page["total"] == len(expected)


def test_the_list_is_paginated(registry, roster):
    headers = as_(registry, "admin", "152500")
    pages = [listed(registry, headers, page=n, per_page=2) for n in (1, 2, 3)]

    assert [len(p["items"]) for p in pages] == [2, 2, 1]
    assert {p["total"] for p in pages} == {5} and {p["per_page"] for p in pages} == {2}
    assert set().union(*(keys(roster, p) for p in pages)) == set(roster)


def test_filtering_outside_ones_division_is_refused(registry, roster):
    response = registry.client.get(URL, query_string={"division": OTHER_BANNER_VILLAGE[:6]},
                                   headers=as_(registry, division=BANNER))

    problem_of(response, 403, "out-of-scope")


def test_one_agent_is_read_with_its_version_as_etag(registry, roster):
    response = registry.client.get(f"{URL}/{roster['sibling']}", headers=as_(registry, division=BANNER))

    assert response.status_code == 200 and response.headers["ETag"] == '"1"'
    assert response.get_json()["division"] == SIBLING_VILLAGE
    assert "outbox" not in response.get_json() and "announced" not in response.get_json()
    problem_of(registry.client.get(f"{URL}/{roster['sibling']}", headers=as_(registry)), 403, "out-of-scope")
    problem_of(registry.client.get(f"{URL}/{roster['sibling']}", headers=as_(registry, "agent", SIBLING_VILLAGE)),
               403, "forbidden")


# --- announcing the demo agents --------------------------------------------------------------------

def test_demo_agents_are_announced_once_and_registered_agents_never_again(registry):
    demo = demo_data.demo_agents()
    agents_store.load_agents(registry.db, demo)
    mine = registered(registry)

    first = agents_store.publish_profiles(registry.runtime.context)
    second = agents_store.publish_profiles(registry.runtime.context)

    assert (first, second) == (len(demo), 0)
    for agent in demo[:5] + demo[-5:]:
        [(event, data)] = outbox_of(registry, agent["id"])
        assert (event.type, event.division, event.sequence) == ("agent.registered", agent["division"], 1)
        assert data["agent_id"] == agent["id"] and data["synthetic"] is True
    assert len(outbox_of(registry, mine["id"])) == 1
    assert registry.db[agents_store.AGENTS].count_documents({"announced": {"$ne": True}}) == 0


def test_an_announced_demo_agent_can_then_be_updated_by_version(registry):
    demo = demo_data.demo_agents()[0]
    agents_store.load_agents(registry.db, [demo])
    agents_store.publish_profiles(registry.runtime.context)

    response = patch(registry, demo["id"], {"capacity": 3}, headers=as_(registry, division=demo["division"][:6]),
                     if_match='"1"')

    assert response.status_code == 200 and response.get_json()["version"] == 2
    assert outbox_of(registry, demo["id"])[-1][0].type == "agent.updated"
