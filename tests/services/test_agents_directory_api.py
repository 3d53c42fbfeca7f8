"""Choosing one's own agent (/api/v1/agents): the agents of a division from intake's copy of the
directory (filled here by agent.* events through intake's handlers), a village's own first and then its
township's; filters; open cases and ratings derived from intake's petitions; order; pages; who may
call; bad input; and the check a preferred agent passes at submission."""
from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import datetime, timezone

import pytest

from services.intake import agent_choice, agents_api, store
from services.intake.app import SPEC as INTAKE
from shared.events import new_event
from shared.http import Problem
from shared.runtime import ServiceRuntime
from tests.support.services import auth, make_settings

from .helpers import Service, fields_of, problem_of

URL = "/api/v1/agents"
BANNER = "152525"                  # 东乌珠穆沁旗
TOWNSHIP = "152525102"             # 嘎达布其镇
V1 = "152525102901"                # 示例一村
V2 = "152525102902"                # 示例二村, same township
OTHER_TOWNSHIP_VILLAGE = "152525100901"  # 乌里雅斯太镇, same banner
OTHER_BANNER_VILLAGE = "152531100901"    # 多伦县

AGENTS = {
    "v1-a": dict(division=V1, level="village", kind="village_cadre", languages=["zh"],
                 specialities=["labour_wages", "land_grassland"], capacity=5),
    "v1-b": dict(division=V1, level="village", kind="grid_worker", languages=["mn", "zh"],
                 specialities=["land_grassland"], capacity=3),
    "v2-a": dict(division=V2, level="village", kind="party_member", languages=["mn"],
                 specialities=["housing"], capacity=4),
    "t-a": dict(division=TOWNSHIP, level="township", kind="legal_worker", languages=["zh", "en"],
                specialities=["labour_wages", "social_security"], capacity=10),
    "o-a": dict(division=OTHER_TOWNSHIP_VILLAGE, level="village", kind="volunteer", languages=["zh"],
                specialities=["other"], capacity=2),
    "b-a": dict(division=BANNER, level="banner", kind="cppcc_member", languages=["zh"],
                specialities=["environment"], capacity=6),
    "x-a": dict(division=OTHER_BANNER_VILLAGE, level="village", kind="village_cadre", languages=["zh"],
                specialities=["housing"], capacity=5),
    "v1-off": dict(division=V1, level="village", kind="retired_cadre", languages=["zh"],
                   specialities=["housing"], capacity=5),
}
_numbers = itertools.count(1)


def intake_spec():
    """intake's blueprints, indexes and handlers, with the agent directory's API and index added
    (whether or not intake's own spec wires them already)."""
    blueprints = INTAKE.blueprints if agents_api.blp in INTAKE.blueprints else (*INTAKE.blueprints, agents_api.blp)
    petition_indexes = list(INTAKE.indexes.get(store.PETITIONS, []))
    names = {model.document["name"] for model in petition_indexes}
    petition_indexes += [m for m in agent_choice.PETITION_INDEXES if m.document["name"] not in names]
    return replace(INTAKE, blueprints=blueprints, indexes={**INTAKE.indexes, store.PETITIONS: petition_indexes})


def build(settings) -> Service:
    return Service(ServiceRuntime(intake_spec(), settings))


@pytest.fixture
def service(settings):
    built = build(settings)
    for agent_id in AGENTS:
        register(built, agent_id)
    deactivate(built, "v1-off", sequence=2)
    yield built
    built.runtime.stop()


def register(service: Service, agent_id: str, sequence: int = 1, name: str = "registered", **changes) -> None:
    profile = {**AGENTS[agent_id], **changes}
    data = {"agent_id": agent_id, "name": f"{agent_id}（示例）", "active": True, "synthetic": True, **profile}
    service.deliver(new_event(f"agent.{name}", data, division=profile["division"],
                              correlation_id=agent_id).with_sequence(sequence))


def deactivate(service: Service, agent_id: str, sequence: int) -> None:
    service.deliver(new_event("agent.deactivated", {"agent_id": agent_id, "reason": "retired"},
                              division=AGENTS[agent_id]["division"], correlation_id=agent_id).with_sequence(sequence))


def petition(service: Service, agent_id: str | None, status: str = "in_progress",
             satisfaction: str | None = None) -> None:
    """A petition as intake stores it once assigned (and rated), straight into the store."""
    serial = next(_numbers)
    division = AGENTS[agent_id]["division"] if agent_id else V1
    doc = {"_id": f"pet-{serial}", "number": f"152525-20250401-{serial:05d}", "status": status,
           "division": division if len(division) == 12 else V1, "petitioner_ref": f"ref_{serial}",
           "received_at": datetime(2025, 4, 1, tzinfo=timezone.utc),
           "assigned_agent": {"id": agent_id, "name": "x", "division": division} if agent_id else None}
    if satisfaction:
        doc["feedback"] = {"satisfaction": satisfaction, "solved": True, "contacted": True, "comment": "",
                           "rated_at": datetime(2025, 5, 1, tzinfo=timezone.utc)}
    service.db[store.PETITIONS].insert_one(doc)


def get(service: Service, path: str = "", role: str = "petitioner", headers: dict | None = None, **query):
    headers = {**auth(service.settings, role, "caller-1", V1), **(headers or {})}
    return service.client.get(URL + path, query_string=query, headers=headers)


def ids(response) -> list[str]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [item["id"] for item in response.get_json()["items"]]


# --- which agents, in which order -------------------------------------------------------------

def test_a_village_shows_its_own_agents_then_its_townships_and_nothing_else(service):
    response = get(service, division=V1)

    assert ids(response) == ["v1-a", "v1-b", "t-a"]
    assert response.get_json()["total"] == 3
    assert [item["level"] for item in response.get_json()["items"]] == ["village", "village", "township"]


def test_a_village_with_no_agents_of_its_own_shows_its_townships(service):
    assert ids(get(service, division=V2)) == ["v2-a", "t-a"]
    assert ids(get(service, division="152525103901")) == []


def test_a_township_shows_its_villages_agents_then_its_own(service):
    assert ids(get(service, division=TOWNSHIP)) == ["v1-a", "v1-b", "v2-a", "t-a"]


def test_a_banner_shows_all_its_agents_village_then_township_then_banner(service):
    assert ids(get(service, division=BANNER)) == ["o-a", "v1-a", "v1-b", "v2-a", "t-a", "b-a"]


def test_within_a_level_agents_with_room_come_first_then_the_better_rated_then_by_id(service):
    for agent_id in ("v1-c", "v1-d", "v1-e"):
        AGENTS[agent_id] = {**AGENTS["v1-a"]}
    try:
        for agent_id in ("v1-c", "v1-d", "v1-e"):
            register(service, agent_id)
        for _ in range(3):
            petition(service, "v1-b")                                # v1-b: 3 of 3, full
        petition(service, "v1-c", "closed", "satisfied")              # v1-c: 1.0
        petition(service, "v1-d", "closed", "dissatisfied")           # v1-d: 0.45
        petition(service, "v1-d", "closed", "basically_satisfied")
        petition(service, "v1-e", "closed", "dissatisfied")           # v1-e: 0.0
        petition(service, "t-a", "closed", "satisfied")              # township: best rated, still after

        # v1-a is unrated: after every rated agent with room, before the full v1-b
        assert ids(get(service, division=V1)) == ["v1-c", "v1-d", "v1-e", "v1-a", "v1-b", "t-a"]
    finally:
        for agent_id in ("v1-c", "v1-d", "v1-e"):
            AGENTS.pop(agent_id)


# --- filters ----------------------------------------------------------------------------------

@pytest.mark.parametrize("query, expected", [
    ({"language": "mn"}, ["v1-b", "v2-a"]),
    ({"language": "en"}, ["t-a"]),
    ({"speciality": "labour_wages"}, ["v1-a", "t-a"]),
    ({"speciality": "land_grassland", "language": "mn"}, ["v1-b"]),
    ({"kind": "legal_worker"}, ["t-a"]),
    ({"kind": "party_member", "language": "zh"}, []),
])
def test_filters_by_language_speciality_and_kind(service, query, expected):
    assert ids(get(service, division=TOWNSHIP, **query)) == expected


def test_inactive_agents_are_left_out_unless_asked_for(service):
    assert "v1-off" not in ids(get(service, division=V1))

    response = get(service, division=V1, include_inactive="true")

    assert ids(response) == ["v1-a", "v1-b", "v1-off", "t-a"]
    assert [item["active"] for item in response.get_json()["items"]] == [True, True, False, True]


def test_the_directory_follows_agent_events(service):
    register(service, "v2-a", sequence=2, name="updated", languages=["mn", "zh"], capacity=1)
    petition(service, "v2-a")
    deactivate(service, "v1-a", sequence=2)

    listed = get(service, division=V2, language="zh").get_json()["items"]

    assert [(a["id"], a["capacity"], a["open_cases"], a["has_room"]) for a in listed] == [
        ("v2-a", 1, 1, False), ("t-a", 10, 0, True)]
    assert ids(get(service, division=V1)) == ["v1-b", "t-a"]


# --- open cases and ratings -------------------------------------------------------------------

def test_open_cases_count_the_petitions_an_agent_holds_until_closed_or_routed_out(service):
    for status in ("assigned", "accepted", "in_progress", "escalated"):
        petition(service, "v1-b", status)
    petition(service, "v1-b", "closed", "satisfied")
    petition(service, "v1-b", "routed_out")
    petition(service, "v1-a", "accepted")
    petition(service, None, "submitted")

    items = {item["id"]: item for item in get(service, division=V1).get_json()["items"]}

    assert (items["v1-b"]["open_cases"], items["v1-b"]["capacity"], items["v1-b"]["has_room"]) == (4, 3, False)
    assert (items["v1-a"]["open_cases"], items["v1-a"]["has_room"]) == (1, True)
    assert (items["t-a"]["open_cases"], items["t-a"]["has_room"]) == (0, True)


def test_an_agent_with_no_capacity_has_no_room(service):
    register(service, "v1-a", sequence=2, name="updated", capacity=0)

    [agent] = [a for a in get(service, division=V1).get_json()["items"] if a["id"] == "v1-a"]

    assert (agent["open_cases"], agent["has_room"]) == (0, False)


def test_the_rating_counts_feedback_on_the_agents_petitions(service):
    for satisfaction in ("satisfied", "satisfied", "satisfied", "basically_satisfied", "dissatisfied"):
        petition(service, "v1-a", "closed", satisfaction)
    petition(service, "v1-a", "closed")             # closed, not rated yet
    petition(service, "v1-b", "closed", "dissatisfied")

    items = {item["id"]: item for item in get(service, division=V1).get_json()["items"]}

    assert items["v1-a"]["rating"] == {"count": 5, "satisfied": 3, "basically_satisfied": 1, "dissatisfied": 1,
                                       "score": pytest.approx((3 + 0.9) / 5)}
    assert items["v1-b"]["rating"]["score"] == 0.0
    assert items["t-a"]["rating"] == {"count": 0, "satisfied": 0, "basically_satisfied": 0, "dissatisfied": 0,
                                      "score": None}


def test_the_weight_of_basically_satisfied_is_a_setting():
    service = build(make_settings(DAIBAN_BASIC_SATISFACTION_WEIGHT="0.5"))
    try:
        register(service, "v1-a")
        for satisfaction in ("satisfied", "basically_satisfied"):
            petition(service, "v1-a", "closed", satisfaction)

        [agent] = get(service, division=V1).get_json()["items"]

        assert agent["rating"]["score"] == pytest.approx(0.75)
    finally:
        service.runtime.stop()


def test_load_and_rating_take_one_aggregation_each_over_the_listed_agents_only(service, monkeypatch):
    calls = []
    for name in ("open_cases", "ratings"):
        original = getattr(agent_choice, name)

        def spy(db, agent_ids, *args, _name=name, _original=original):
            calls.append((_name, sorted(agent_ids)))
            return _original(db, agent_ids, *args)
        monkeypatch.setattr(agent_choice, name, spy)

    ids(get(service, division=V2))

    assert calls == [("open_cases", ["t-a", "v2-a"]), ("ratings", ["t-a", "v2-a"])]
    assert "assigned_agent.id_1_status_1" in service.db[store.PETITIONS].index_information()


# --- one agent, the item's shape, languages -----------------------------------------------------

def test_one_agent_with_its_load_and_rating(service):
    petition(service, "v1-b", "accepted")
    petition(service, "v1-b", "closed", "basically_satisfied")

    response = get(service, "/v1-b")

    assert response.status_code == 200
    assert response.get_json() == {
        "id": "v1-b", "name": "v1-b（示例）", "kind": "grid_worker", "kind_label": "网格员",
        "division": V1, "division_name": "示例一村", "level": "village", "languages": ["mn", "zh"],
        "specialities": ["land_grassland"], "capacity": 3, "open_cases": 1, "has_room": True,
        "rating": {"count": 1, "satisfied": 0, "basically_satisfied": 1, "dissatisfied": 0, "score": 0.9},
        "active": True, "synthetic": True}


def test_an_inactive_agent_can_still_be_read(service):
    assert get(service, "/v1-off").get_json()["active"] is False


def test_an_unknown_agent_is_not_found(service):
    problem = problem_of(get(service, "/agt-nobody"), 404, "not-found")

    assert fields_of(problem) == {"agent_id"}


def test_labels_follow_accept_language(service):
    english = get(service, headers={"Accept-Language": "en-US,en;q=0.9"}, division=TOWNSHIP).get_json()["items"]
    chinese = get(service, headers={"Accept-Language": "zh-CN"}, division=TOWNSHIP).get_json()["items"]
    default = get(service, division=TOWNSHIP).get_json()["items"]

    assert [a["kind_label"] for a in english] == ["village committee member", "grid worker",
                                                  "veteran party member", "legal worker"]
    assert [a["kind_label"] for a in chinese] == ["村“两委”成员", "网格员", "老党员", "法律工作者"]
    assert [a["kind_label"] for a in default] == [a["kind_label"] for a in chinese]
    assert [a["division_name"] for a in english] == ["示例一村", "示例一村", "示例二村", "嘎达布其镇"]
    assert get(service, "/b-a", headers={"Accept-Language": "en"}).get_json()["kind_label"] == "CPPCC member"


# --- pages ------------------------------------------------------------------------------------

def test_pages_split_the_ordered_list(service):
    first = get(service, division=BANNER, per_page=4).get_json()
    second = get(service, division=BANNER, per_page=4, page=2).get_json()
    beyond = get(service, division=BANNER, per_page=4, page=3).get_json()

    assert [a["id"] for a in first["items"]] == ["o-a", "v1-a", "v1-b", "v2-a"]
    assert [a["id"] for a in second["items"]] == ["t-a", "b-a"]
    assert (first["page"], first["per_page"], first["total"]) == (1, 4, 6)
    assert (second["page"], second["total"], beyond["items"], beyond["total"]) == (2, 6, [], 6)


# --- who may call -----------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["petitioner", "agent", "coordinator", "department", "mediator", "reporter",
                                  "admin"])
def test_petitioners_and_staff_may_choose(service, role):
    assert ids(get(service, role=role, division=V2)) == ["v2-a", "t-a"]
    assert get(service, "/v2-a", role=role).status_code == 200


@pytest.mark.parametrize("path", ["", "/v1-a"])
def test_anonymous_callers_are_refused(service, path):
    response = service.client.get(URL + path, query_string={"division": V1})

    problem_of(response, 401, "unauthenticated")
    assert "v1-a（示例）" not in response.get_data(as_text=True)


def test_a_bad_token_is_refused(service):
    response = service.client.get(URL, query_string={"division": V1}, headers={"Authorization": "Bearer nope"})

    problem_of(response, 401, "unauthenticated")


def test_the_endpoints_are_documented_with_their_roles(service):
    paths = service.client.get("/docs/intake/openapi.json").get_json()["paths"]

    for path in (URL, URL + "/{agent_id}"):
        assert paths[path]["get"]["x-roles"] == ["petitioner", "agent", "coordinator", "department", "mediator",
                                                 "reporter", "admin"]
        assert paths[path]["get"]["security"] == [{"bearerAuth": []}]


# --- bad input --------------------------------------------------------------------------------

@pytest.mark.parametrize("query, field", [
    ({}, "division"),
    ({"division": "152525102999"}, "division"),     # no such village
    ({"division": "152525999"}, "division"),        # no such township
    ({"division": "152599"}, "division"),           # no such banner
    ({"division": "152500"}, "division"),           # the league: not a village, township or banner
    ({"division": "abc"}, "division"),
    ({"division": V1, "language": "fr"}, "language"),
    ({"division": V1, "speciality": "weather"}, "speciality"),
    ({"division": V1, "kind": "sheriff"}, "kind"),
    ({"division": V1, "per_page": "0"}, "per_page"),
    ({"division": V1, "page": "x"}, "page"),
])
def test_bad_queries_are_refused_naming_the_field(service, query, field):
    response = service.client.get(URL, query_string=query, headers=auth(service.settings, "petitioner", "p", V1))

    problem = problem_of(response, 422, "validation-failed")
    assert fields_of(problem) == {field}


# --- the preferred agent at submission --------------------------------------------------------

@pytest.mark.parametrize("agent_id, village", [
    (None, V1),                         # no choice
    ("v1-a", V1),                       # the village's own
    ("t-a", V1),                        # its township's
    ("o-a", V1),                        # another township of the same banner
    ("b-a", V2),                        # the banner's
])
def test_a_preferred_agent_of_the_villages_banner_passes(service, agent_id, village):
    assert agent_choice.check_preferred_agent(service.db, agent_id, village) is None


@pytest.mark.parametrize("agent_id, village, message", [
    ("agt-nobody", V1, "unknown agent"),
    ("v1-off", V1, "agent inactive"),
    ("x-a", V1, "agent of another banner"),
    ("v1-a", OTHER_BANNER_VILLAGE, "agent of another banner"),
])
def test_a_preferred_agent_unknown_inactive_or_of_another_banner_is_refused(service, agent_id, village, message):
    with pytest.raises(Problem) as refused:
        agent_choice.check_preferred_agent(service.db, agent_id, village)

    assert refused.value.status == 422
    assert refused.value.kind == "validation-failed"
    assert refused.value.errors == [{"field": "preferred_agent_id", "message": message}]
