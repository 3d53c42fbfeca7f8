"""The agent's workbench and the coordinator's actions over HTTP (POST /api/v1/assignments/<id>/<action>):
who may act, what a refused or bad request leaves behind (nothing), and the events each step puts in the
assignment's outbox for intake, notify, mediation and reporting.

The petitions are in 示例一村 (152525100901) of 乌里雅斯太镇 (152525100), 东乌珠穆沁旗, with the demo agents
agt-152525100901-1/-2 (village) and agt-152525100-t1 (township)."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from services.assignment import agents_store, departments_store, store
from services.registry import SPECS
from shared.events import parse_envelope, validate_data
from shared.runtime import ServiceRuntime
from tests.support.services import auth, make_settings

from .helpers import (OTHER_BANNER_VILLAGE, SIBLING_VILLAGE, VILLAGE, Service, SteppingClock, fields_of, problem_of,
                      submitted_event)

URL = "/api/v1/assignments"
START = datetime(2025, 3, 3, 2, 0, tzinfo=timezone.utc)  # Monday 10:00 in Asia/Shanghai
TOWNSHIP = VILLAGE[:9]           # 乌里雅斯太镇
SIBLING_TOWNSHIP = SIBLING_VILLAGE[:9]  # 道特淖尔镇, same banner
BANNER = VILLAGE[:6]             # 东乌珠穆沁旗
VILLAGE_AGENTS = ("agt-152525100901-1", "agt-152525100901-2")
TOWNSHIP_AGENT = "agt-152525100-t1"
SIBLING_TOWNSHIP_AGENT = "agt-152525101-t1"
DEPARTMENT = {"_id": "dep-ewq-housing", "name": "东乌珠穆沁旗住房和城乡建设局", "remit": "住房、市政设施",
              "banner": BANNER, "active": True}
OTHER_BANNER_DEPARTMENT = {"_id": "dep-duolun-housing", "name": "多伦县住房和城乡建设局", "remit": "住房",
                           "banner": OTHER_BANNER_VILLAGE[:6], "active": True}
INACTIVE_DEPARTMENT = {"_id": "dep-ewq-closed", "name": "东乌珠穆沁旗已撤销机构", "remit": "无",
                       "banner": BANNER, "active": False}
FINDINGS = "核实：邻居越界放牧约三十亩，村委会有二〇一九年界桩记录。FINDINGS-7f3a"
INTERNAL_NOTE = "当事人情绪激动，入户时请两人同行。INTERNAL-91bc"

BODIES = {
    "accept": None,
    "decline": {"reason_code": "over_capacity"},
    "contact": {"method": "home_visit"},
    "verify": {"findings": FINDINGS},
    "forward": {"department_id": DEPARTMENT["_id"], "note": "请核查草场界桩"},
    "department-reply": {"department_id": DEPARTMENT["_id"], "accepted": True, "reply": "同意承办"},
    "notes": {"text": "已约定下周一现场勘查。", "public": True},
    "mediation-request": {"kind": "people", "note": "双方同意调解"},
    "escalate": {"reason": "涉及两个嘎查的草场边界，村级无法化解"},
    "route-out": {"procedure": "litigation", "organ": "东乌珠穆沁旗人民法院", "guidance": "请向人民法院提起民事诉讼。"},
    "extend": {"days": 20, "reason": "需要等待草原勘测结果"},
    "close": {"outcome": "support", "answer": "经核实，责成恢复原界桩。", "legal_basis": "《中华人民共和国草原法》第十六条"},
    "reassign": {"agent_id": TOWNSHIP_AGENT},
    "take": None,
}
ACTIONS = tuple(BODIES)
COORDINATOR_ACTIONS = ("reassign", "take")
HOLDER_ACTIONS = tuple(a for a in ACTIONS if a not in COORDINATOR_ACTIONS)
# the state in which the holder could do it: refusals must not be explained by the state
NEEDS_ASSIGNED = ("accept", "decline")


# --- fixtures and helpers ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def service():
    """One runtime for the module (loading the demo agents is the slow part); each test starts from an
    empty assignments collection (see ``assignment``)."""
    clock = SteppingClock(START)
    built = Service(ServiceRuntime(SPECS["assignment"], make_settings(), clock=clock))
    for department in (DEPARTMENT, OTHER_BANNER_DEPARTMENT, INACTIVE_DEPARTMENT):
        departments_store.insert(built.db, dict(department))
    built.clock = clock
    yield built
    built.runtime.stop()


@pytest.fixture
def assignment(service):
    service.db[store.ASSIGNMENTS].delete_many({})
    service.db[agents_store.AGENTS].update_many({}, {"$set": {"active": True}})
    service.clock.now = START
    return service


def raw(service, petition_id: str) -> dict:
    """The whole stored document, outbox included."""
    return service.db[store.ASSIGNMENTS].find_one({"_id": petition_id})


def outbox(service, petition_id: str) -> list[dict]:
    return raw(service, petition_id)["outbox"]


def types(service, petition_id: str) -> list[str]:
    return [message["type"] for message in outbox(service, petition_id)]


def open_petition(service, petition_id: str = "pet-1", village: str = VILLAGE, serial: int = 1) -> dict:
    service.deliver(submitted_event(village, petition_id, serial=serial))
    return raw(service, petition_id)


def post(service, petition_id: str, action: str, headers: dict, body=None, **extra_headers):
    if body is None and action in BODIES:
        body = BODIES[action]
    kwargs = {"json": body} if body is not None else {}
    return service.client.post(f"{URL}/{petition_id}/{action}", headers={**headers, **extra_headers}, **kwargs)


def ok(response) -> dict:
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def as_agent(service, agent_id: str) -> dict:
    return auth(service.settings, "agent", agent_id, agent_id.split("-")[1])


def as_coordinator(service, division: str) -> dict:
    return auth(service.settings, "coordinator", f"coord-{division}", division)


def as_department(service, department_id: str = DEPARTMENT["_id"]) -> dict:
    return auth(service.settings, "department", department_id, BANNER)


def holder(service, petition_id: str = "pet-1") -> str:
    return raw(service, petition_id)["holder"]["id"]


def holder_headers(service, petition_id: str = "pet-1") -> dict:
    held = raw(service, petition_id)["holder"]
    return auth(service.settings, held["kind"], held["id"], held["division"])


def other_village_agent(service, petition_id: str = "pet-1") -> str:
    return next(a for a in VILLAGE_AGENTS if a != holder(service, petition_id))


def accepted(service, petition_id: str = "pet-1", serial: int = 1) -> dict:
    open_petition(service, petition_id, serial=serial)
    ok(post(service, petition_id, "accept", holder_headers(service, petition_id)))
    return raw(service, petition_id)


def in_state_for(service, action: str, petition_id: str = "pet-1") -> dict:
    """A petition on which the holder could do ``action``."""
    if action in NEEDS_ASSIGNED:
        return open_petition(service, petition_id)
    doc = accepted(service, petition_id)
    if action == "department-reply":
        ok(post(service, petition_id, "forward", holder_headers(service, petition_id)))
        doc = raw(service, petition_id)
    return doc


def refused_without_change(service, petition_id: str, response, status: int, kind: str, before: dict) -> dict:
    problem = problem_of(response, status, kind)
    assert raw(service, petition_id) == before, "a refused request changed the assignment"
    return problem


def assert_outbox_is_a_valid_stream(service, petition_id: str) -> list:
    """Consecutive sequence numbers from 1, every event valid against the catalogue, about this petition."""
    messages = outbox(service, petition_id)
    events = [parse_envelope(json.loads(json.dumps(m))) for m in messages]
    assert [e.sequence for e in events] == list(range(1, len(events) + 1))
    for event in events:
        validate_data(event)
        assert (event.producer, event.correlation_id, event.division) == ("assignment", petition_id, VILLAGE)
    assert raw(service, petition_id)["seq"] == len(events)
    return events


# --- who may act ----------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["petitioner", "reporter", "mediator"])
@pytest.mark.parametrize("action", ACTIONS)
def test_petitioners_reporters_and_mediators_may_not_act(assignment, action, role):
    before = in_state_for(assignment, action)
    headers = auth(assignment.settings, role, "someone", VILLAGE)

    problem = refused_without_change(assignment, "pet-1", post(assignment, "pet-1", action, headers), 403,
                                     "forbidden", before)
    assert fields_of(problem) == {"role"}


@pytest.mark.parametrize("action", [a for a in ACTIONS if a != "department-reply"])
def test_a_department_may_only_reply_to_a_forward(assignment, action):
    before = in_state_for(assignment, action)

    refused_without_change(assignment, "pet-1", post(assignment, "pet-1", action, as_department(assignment)), 403,
                           "forbidden", before)


@pytest.mark.parametrize("action", HOLDER_ACTIONS)
def test_an_agent_cannot_act_on_another_agents_case(assignment, action):
    before = in_state_for(assignment, action)
    stranger = as_agent(assignment, other_village_agent(assignment))

    refused_without_change(assignment, "pet-1", post(assignment, "pet-1", action, stranger), 404, "not-found",
                           before)


@pytest.mark.parametrize("action", HOLDER_ACTIONS)
def test_an_agent_of_another_banner_cannot_act_either(assignment, action):
    before = in_state_for(assignment, action)
    stranger = as_agent(assignment, "agt-152531100901-1")

    refused_without_change(assignment, "pet-1", post(assignment, "pet-1", action, stranger), 404, "not-found",
                           before)


@pytest.mark.parametrize("action", [a for a in HOLDER_ACTIONS if a != "decline"])
def test_a_coordinator_of_the_township_does_not_do_the_holding_agents_work(assignment, action):
    before = in_state_for(assignment, action)

    problem = refused_without_change(assignment, "pet-1", post(assignment, "pet-1", action,
                                                                as_coordinator(assignment, TOWNSHIP)),
                                     403, "not-holder", before)
    assert fields_of(problem) == {"petition_id"}


def test_only_the_holding_agent_declines(assignment):
    before = open_petition(assignment)

    refused_without_change(assignment, "pet-1", post(assignment, "pet-1", "decline",
                                                     as_coordinator(assignment, TOWNSHIP)), 403, "forbidden", before)


@pytest.mark.parametrize("division", [SIBLING_TOWNSHIP, OTHER_BANNER_VILLAGE[:6], OTHER_BANNER_VILLAGE[:9],
                                      SIBLING_VILLAGE])
@pytest.mark.parametrize("action", [a for a in ACTIONS if a != "decline"])
def test_a_coordinator_outside_the_division_cannot_act(assignment, action, division):
    before = in_state_for(assignment, action)

    refused_without_change(assignment, "pet-1", post(assignment, "pet-1", action,
                                                     as_coordinator(assignment, division)), 404, "not-found", before)


@pytest.mark.parametrize("action", COORDINATOR_ACTIONS)
def test_agents_cannot_reassign_or_take(assignment, action):
    before = open_petition(assignment)

    refused_without_change(assignment, "pet-1", post(assignment, "pet-1", action, holder_headers(assignment)), 403,
                           "forbidden", before)


@pytest.mark.parametrize("action", COORDINATOR_ACTIONS)
def test_a_village_level_coordinator_cannot_take_or_reassign_a_township_level_petition(assignment, action):
    accepted(assignment)
    ok(post(assignment, "pet-1", "escalate", holder_headers(assignment)))
    before = raw(assignment, "pet-1")

    problem = refused_without_change(assignment, "pet-1", post(assignment, "pet-1", action,
                                                                as_coordinator(assignment, VILLAGE)),
                                     403, "out-of-scope", before)
    assert fields_of(problem) == {"level"}


def test_a_township_coordinator_cannot_act_on_a_petition_escalated_to_the_banner(assignment):
    accepted(assignment)
    ok(post(assignment, "pet-1", "escalate", holder_headers(assignment)))
    township = as_coordinator(assignment, TOWNSHIP)
    ok(post(assignment, "pet-1", "take", township))
    at_banner = ok(post(assignment, "pet-1", "escalate", township, {"reason": "涉及旗级部门"}))
    assert (at_banner["status"], at_banner["level"]) == ("queued", "banner")
    before = raw(assignment, "pet-1")

    for action in COORDINATOR_ACTIONS:
        problem = refused_without_change(assignment, "pet-1", post(assignment, "pet-1", action, township), 403,
                                         "out-of-scope", before)
        assert fields_of(problem) == {"level"}

    taken = ok(post(assignment, "pet-1", "take", as_coordinator(assignment, BANNER)))
    assert (taken["status"], taken["level"], taken["holder"]["id"]) == ("accepted", "banner", f"coord-{BANNER}")


def test_an_admin_acts_within_the_scope_of_the_token_only(assignment):
    before = open_petition(assignment)
    outside = auth(assignment.settings, "admin", "admin-duolun", OTHER_BANNER_VILLAGE[:6])

    refused_without_change(assignment, "pet-1", post(assignment, "pet-1", "accept", outside), 404, "not-found",
                           before)
    inside = ok(post(assignment, "pet-1", "accept", auth(assignment.settings, "admin", "admin-ewq", BANNER)))
    assert inside["status"] == "accepted"
    assert raw(assignment, "pet-1")["history"][-1]["by"] == "admin:admin-ewq"


def test_acting_needs_a_token(assignment):
    before = open_petition(assignment)

    response = assignment.client.post(f"{URL}/pet-1/accept")

    refused_without_change(assignment, "pet-1", response, 401, "unauthenticated", before)


def test_acting_on_an_unknown_petition_is_404(assignment):
    problem = problem_of(post(assignment, "pet-nope", "take", as_coordinator(assignment, TOWNSHIP)), 404, "not-found")

    assert fields_of(problem) == {"petition_id"}
    assert raw(assignment, "pet-nope") is None


# --- accept, decline, reassign, take ----------------------------------------------------------------

def test_the_holding_agent_accepts_and_the_handling_clock_starts(assignment):
    open_petition(assignment)
    agent = holder(assignment)

    body = ok(post(assignment, "pet-1", "accept", as_agent(assignment, agent)))

    assert body["status"] == "accepted" and body["holder"]["id"] == agent
    assert body["clocks"]["handling"]["stopped_at"] is None
    assert body["clocks"]["receipt_notice"]["stopped_at"] is not None
    assert types(assignment, "pet-1") == ["petition.assigned", "assignment.accepted"]
    assert_outbox_is_a_valid_stream(assignment, "pet-1")


def test_a_decline_rematches_to_the_other_village_agent(assignment):
    open_petition(assignment)
    first, second = holder(assignment), other_village_agent(assignment)

    body = ok(post(assignment, "pet-1", "decline", as_agent(assignment, first),
                   {"reason_code": "conflict_of_interest"}))

    assert body["holder"]["id"] == second
    assert (body["status"], body["level"], body["declined_by"]) == ("assigned", "village", [first])
    assert types(assignment, "pet-1") == ["petition.assigned", "assignment.declined", "petition.assigned"]
    events = assert_outbox_is_a_valid_stream(assignment, "pet-1")
    assert events[1].data["agent_id"] == first and events[1].data["reason_code"] == "conflict_of_interest"
    assert events[2].data["agent"]["id"] == second


def test_declines_move_the_petition_through_the_township_and_then_to_the_coordinators_queue(assignment):
    open_petition(assignment)
    declined = []
    for _ in range(10):  # far more than the agents of 示例一村 and 乌里雅斯太镇
        doc = raw(assignment, "pet-1")
        if doc["status"] == "queued":
            break
        agent = doc["holder"]["id"]
        assert agent not in declined, "a declining agent got the petition again"
        assert doc["holder"]["division"].startswith(TOWNSHIP)
        ok(post(assignment, "pet-1", "decline", as_agent(assignment, agent), {"reason_code": "unavailable"}))
        declined.append(agent)

    doc = raw(assignment, "pet-1")
    assert (doc["status"], doc["level"], doc["holder"]) == ("queued", "township", None)
    assert set(VILLAGE_AGENTS) | {TOWNSHIP_AGENT} <= set(declined)
    assert sorted(doc["declined_by"]) == sorted(declined)
    assert types(assignment, "pet-1")[-2:] == ["assignment.declined", "assignment.queued"]
    assert_outbox_is_a_valid_stream(assignment, "pet-1")
    queue = assignment.client.get(URL, query_string={"status": "queued"},
                                  headers=as_coordinator(assignment, TOWNSHIP)).get_json()
    assert [item["petition_id"] for item in queue["items"]] == ["pet-1"]


def test_an_agent_who_declined_may_still_read_but_no_longer_act(assignment):
    open_petition(assignment)
    first = holder(assignment)
    ok(post(assignment, "pet-1", "decline", as_agent(assignment, first)))
    before = raw(assignment, "pet-1")

    assert assignment.client.get(f"{URL}/pet-1", headers=as_agent(assignment, first)).status_code == 200
    refused_without_change(assignment, "pet-1", post(assignment, "pet-1", "accept", as_agent(assignment, first)), 403,
                           "not-holder", before)


@pytest.mark.parametrize("coordinator", [TOWNSHIP, BANNER])
def test_a_coordinator_reassigns_to_an_agent_of_the_township_who_then_accepts(assignment, coordinator):
    open_petition(assignment)
    first = holder(assignment)

    body = ok(post(assignment, "pet-1", "reassign", as_coordinator(assignment, coordinator),
                   {"agent_id": TOWNSHIP_AGENT}))

    assert body["holder"] == {"kind": "agent", "id": TOWNSHIP_AGENT, "name": body["holder"]["name"],
                              "division": TOWNSHIP}
    assert body["status"] == "assigned" and f"coord-{coordinator}" in body["reason"]
    refused_without_change(assignment, "pet-1", post(assignment, "pet-1", "accept", as_agent(assignment, first)), 404,
                           "not-found", raw(assignment, "pet-1"))
    assert ok(post(assignment, "pet-1", "accept", as_agent(assignment, TOWNSHIP_AGENT)))["status"] == "accepted"
    events = assert_outbox_is_a_valid_stream(assignment, "pet-1")
    assert [e.type for e in events] == ["petition.assigned", "petition.assigned", "assignment.accepted"]
    assert events[1].data["agent"]["id"] == TOWNSHIP_AGENT


def test_a_coordinator_takes_an_escalated_petition_and_closes_it_at_township_level(assignment):
    accepted(assignment)
    ok(post(assignment, "pet-1", "escalate", holder_headers(assignment)))
    township = as_coordinator(assignment, TOWNSHIP)
    listed = assignment.client.get(URL, query_string={"status": "queued", "level": "township"}, headers=township)
    assert [item["petition_id"] for item in listed.get_json()["items"]] == ["pet-1"]

    taken = ok(post(assignment, "pet-1", "take", township))
    assert taken["status"] == "accepted" and taken["level"] == "township"
    assert taken["holder"] == {"kind": "coordinator", "id": f"coord-{TOWNSHIP}", "name": taken["holder"]["name"],
                               "division": TOWNSHIP}
    closed = ok(post(assignment, "pet-1", "close", township))

    assert closed["status"] == "closed"
    assert closed["answer"] == BODIES["close"]
    events = assert_outbox_is_a_valid_stream(assignment, "pet-1")
    assert [e.type for e in events][-4:] == ["assignment.escalated", "petition.assigned", "assignment.accepted",
                                             "petition.closed"]
    assert events[-1].data["level"] == "township" and events[-1].data["on_time"] is True
    assert raw(assignment, "pet-1")["closed_level"] == "township"


# --- bad input: 422 naming the field, nothing changed ----------------------------------------------------

BAD = [
    ("contact", {"method": "fax"}, "method"),
    ("contact", {}, "method"),
    ("verify", {"findings": ""}, "findings"),
    ("extend", {"days": 31, "reason": "需要更多时间"}, "days"),
    ("extend", {"days": 0, "reason": "需要更多时间"}, "days"),
    ("extend", {"days": "thirty", "reason": "需要更多时间"}, "days"),
    ("extend", {"days": 10}, "reason"),
    ("close", {"outcome": "support", "legal_basis": "《信访工作条例》第三十二条"}, "answer"),
    ("close", {"outcome": "support", "answer": "", "legal_basis": "《信访工作条例》第三十二条"}, "answer"),
    ("close", {"outcome": "maybe", "answer": "答复", "legal_basis": "依据"}, "outcome"),
    ("close", {"outcome": "support", "answer": "答复"}, "legal_basis"),
    ("route-out", {"procedure": "duel", "organ": "法院", "guidance": "请起诉"}, "procedure"),
    ("route-out", {"procedure": "litigation", "organ": "法院"}, "guidance"),
    ("escalate", {}, "reason"),
    ("escalate", {"reason": "x" * 501}, "reason"),
    ("notes", {"text": "x" * 501, "public": True}, "text"),
    ("mediation-request", {"kind": "arm_wrestling"}, "kind"),
    ("forward", {"note": "没有部门"}, "department_id"),
    ("forward", {"department_id": "dep-does-not-exist"}, "department_id"),
    ("forward", {"department_id": OTHER_BANNER_DEPARTMENT["_id"]}, "department_id"),
    ("forward", {"department_id": INACTIVE_DEPARTMENT["_id"]}, "department_id"),
    ("department-reply", {"department_id": DEPARTMENT["_id"], "reply": "同意"}, "accepted"),
]


@pytest.mark.parametrize("action, body, field", BAD, ids=[f"{a}-{f}-{i}" for i, (a, _, f) in enumerate(BAD)])
def test_a_bad_request_is_422_naming_the_field_and_changes_nothing(assignment, action, body, field):
    before = in_state_for(assignment, action)

    response = post(assignment, "pet-1", action, holder_headers(assignment), body)

    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert field in fields_of(response.get_json())
    assert raw(assignment, "pet-1") == before, "a refused request changed the assignment"


@pytest.mark.parametrize("agent_id", ["agt-does-not-exist", SIBLING_TOWNSHIP_AGENT, "agt-152525101901-1",
                                      "agt-152531100901-1"])
def test_a_reassignment_to_an_unknown_agent_or_one_outside_the_township_is_422(assignment, agent_id):
    before = open_petition(assignment)

    response = post(assignment, "pet-1", "reassign", as_coordinator(assignment, BANNER), {"agent_id": agent_id})

    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert fields_of(response.get_json()) == {"agent_id"}
    assert raw(assignment, "pet-1") == before


def test_a_reassignment_to_an_inactive_agent_is_422(assignment):
    before = open_petition(assignment)
    assignment.db[agents_store.AGENTS].update_one({"_id": TOWNSHIP_AGENT}, {"$set": {"active": False}})

    response = post(assignment, "pet-1", "reassign", as_coordinator(assignment, TOWNSHIP),
                    {"agent_id": TOWNSHIP_AGENT})

    assert response.status_code == 422, response.get_data(as_text=True)
    assert fields_of(response.get_json()) == {"agent_id"}
    assert raw(assignment, "pet-1") == before


def test_a_body_that_is_not_json_is_refused_and_changes_nothing(assignment):
    before = accepted(assignment)

    response = assignment.client.post(f"{URL}/pet-1/contact", data="method=phone", headers={
        **holder_headers(assignment), "Content-Type": "application/x-www-form-urlencoded"})

    assert 400 <= response.status_code < 500
    assert response.mimetype == "application/problem+json"
    assert raw(assignment, "pet-1") == before


# --- extension limits ---------------------------------------------------------------------------------

def test_the_handling_limit_is_extended_once_and_a_second_extension_is_refused(assignment):
    accepted(assignment)
    due = raw(assignment, "pet-1")["clocks"]["handling"]["due_at"]

    first = ok(post(assignment, "pet-1", "extend", holder_headers(assignment), {"days": 30, "reason": "等待勘测"}))
    assert first["extended"] is True
    extended = raw(assignment, "pet-1")
    assert (extended["clocks"]["handling"]["due_at"] - due).days == 30

    response = post(assignment, "pet-1", "extend", holder_headers(assignment), {"days": 1, "reason": "再延一天"})

    problem = refused_without_change(assignment, "pet-1", response, 422, "limit-reached", extended)
    assert fields_of(problem) == {"days"}
    extension = [e for e in assert_outbox_is_a_valid_stream(assignment, "pet-1") if e.type == "assignment.extended"]
    assert [(e.data["days"], e.data["reason"]) for e in extension] == [(30, "等待勘测")]


def test_an_extension_asked_for_after_the_handling_limit_has_passed_is_refused(assignment):
    accepted(assignment)
    assignment.clock.now = START + timedelta(days=61)
    before = raw(assignment, "pet-1")

    response = post(assignment, "pet-1", "extend", holder_headers(assignment), {"days": 10, "reason": "补办延期"})

    problem = refused_without_change(assignment, "pet-1", response, 422, "limit-reached", before)
    assert fields_of(problem) == {"days"}


# --- invalid transitions: 409, nothing changed --------------------------------------------------------

def closed(service) -> dict:
    accepted(service)
    ok(post(service, "pet-1", "close", holder_headers(service)))
    return raw(service, "pet-1")


def contacted(service) -> dict:
    accepted(service)
    ok(post(service, "pet-1", "contact", holder_headers(service)))
    return raw(service, "pet-1")


INVALID = [
    (open_petition, "contact", "invalid-transition"),
    (open_petition, "verify", "invalid-transition"),
    (open_petition, "close", "invalid-transition"),
    (open_petition, "extend", "invalid-transition"),
    (open_petition, "forward", "invalid-transition"),
    (open_petition, "mediation-request", "invalid-transition"),
    (accepted, "accept", "invalid-transition"),
    (accepted, "decline", "invalid-transition"),
    (accepted, "department-reply", "invalid-transition"),
    (contacted, "contact", "already-done"),
    (closed, "accept", "invalid-transition"),
    (closed, "contact", "invalid-transition"),
    (closed, "verify", "invalid-transition"),
    (closed, "escalate", "invalid-transition"),
    (closed, "route-out", "invalid-transition"),
    (closed, "extend", "invalid-transition"),
    (closed, "close", "invalid-transition"),
    (closed, "notes", "invalid-transition"),
]


@pytest.mark.parametrize("state, action, kind", INVALID, ids=[f"{s.__name__}-{a}" for s, a, _ in INVALID])
def test_a_step_the_state_does_not_allow_is_409_and_changes_nothing(assignment, state, action, kind):
    before = state(assignment)

    refused_without_change(assignment, "pet-1", post(assignment, "pet-1", action, holder_headers(assignment)), 409,
                           kind, before)


@pytest.mark.parametrize("action", COORDINATOR_ACTIONS)
def test_a_closed_petition_cannot_be_taken_or_reassigned(assignment, action):
    before = closed(assignment)

    refused_without_change(assignment, "pet-1", post(assignment, "pet-1", action, as_coordinator(assignment, TOWNSHIP)),
                           409, "invalid-transition", before)


# --- the events of each step --------------------------------------------------------------------------

def test_each_step_puts_its_event_in_the_outbox_with_consecutive_sequence_numbers(assignment):
    open_petition(assignment)
    agent = holder_headers(assignment)
    township = as_coordinator(assignment, TOWNSHIP)
    steps = [
        ("accept", agent, None, ["assignment.accepted"]),
        ("contact", agent, None, ["petition.contacted"]),
        ("verify", agent, None, ["petition.verified"]),
        ("forward", agent, None, ["petition.forwarded"]),
        ("department-reply", as_department(assignment), {"department_id": DEPARTMENT["_id"], "accepted": False,
                                                         "reply": "不属于本部门职责"}, ["petition.department_replied"]),
        ("notes", agent, {"text": INTERNAL_NOTE}, []),
        ("notes", agent, {"text": "已约定下周一现场勘查。", "public": True}, ["petition.progress_noted"]),
        ("mediation-request", agent, None, ["mediation.requested"]),
        ("extend", agent, None, ["assignment.extended"]),
        ("escalate", agent, None, ["assignment.escalated"]),
        ("take", township, None, ["petition.assigned", "assignment.accepted"]),
        ("close", township, None, ["petition.closed"]),
    ]
    expected = ["petition.assigned"]
    for action, headers, body, emitted in steps:
        version = raw(assignment, "pet-1")["version"]
        ok(post(assignment, "pet-1", action, headers, body))
        expected += emitted
        assert types(assignment, "pet-1") == expected, action
        assert raw(assignment, "pet-1")["version"] == version + 1, action

    events = assert_outbox_is_a_valid_stream(assignment, "pet-1")
    assert len(events) == 13
    assert [h["action"] for h in raw(assignment, "pet-1")["history"]] == [
        "accept", "contact", "verify", "forward", "department_reply", "note", "note", "request_mediation", "extend",
        "escalate", "take+accept", "close"]


def test_findings_and_internal_notes_never_leave_the_assignment(assignment):
    accepted(assignment)
    agent = holder_headers(assignment)

    ok(post(assignment, "pet-1", "verify", agent, {"findings": FINDINGS}))
    ok(post(assignment, "pet-1", "notes", agent, {"text": INTERNAL_NOTE, "public": False}))

    wire = json.dumps(outbox(assignment, "pet-1"), ensure_ascii=False)
    assert "FINDINGS-7f3a" not in wire and "INTERNAL-91bc" not in wire and "findings" not in wire
    assert types(assignment, "pet-1") == ["petition.assigned", "assignment.accepted", "petition.verified"]
    seen = assignment.client.get(f"{URL}/pet-1", headers=agent).get_json()
    assert seen["findings"] == FINDINGS
    assert seen["notes"][-1]["text"] == INTERNAL_NOTE and seen["notes"][-1]["public"] is False


def test_an_internal_note_changes_the_version_but_emits_nothing(assignment):
    before = accepted(assignment)

    body = ok(post(assignment, "pet-1", "notes", holder_headers(assignment), {"text": INTERNAL_NOTE}))

    assert body["version"] == before["version"] + 1
    assert outbox(assignment, "pet-1") == before["outbox"]
    assert raw(assignment, "pet-1")["seq"] == before["seq"]


def test_routing_out_gives_written_guidance_and_ends_the_petition_track(assignment):
    accepted(assignment)

    body = ok(post(assignment, "pet-1", "route-out", holder_headers(assignment), {
        "procedure": "arbitration", "organ": "东乌珠穆沁旗劳动人事争议仲裁委员会", "guidance": "请在一年内申请劳动仲裁。"}))

    assert body["status"] == "routed_out"
    assert body["routed_out"]["procedure"] == "arbitration"
    assert all(clock["stopped_at"] for clock in body["clocks"].values())
    assert raw(assignment, "pet-1")["next_check_at"] is None
    events = assert_outbox_is_a_valid_stream(assignment, "pet-1")
    assert events[-1].type == "petition.routed_out"
    assert events[-1].data["guidance"] == "请在一年内申请劳动仲裁。"
    refused_without_change(assignment, "pet-1", post(assignment, "pet-1", "close", holder_headers(assignment)), 409,
                           "invalid-transition", raw(assignment, "pet-1"))


def test_a_forward_starts_the_objection_window_and_a_department_replies_only_for_itself(assignment):
    accepted(assignment)
    forwarded = ok(post(assignment, "pet-1", "forward", holder_headers(assignment)))
    assert forwarded["forwards"][0]["id"] == DEPARTMENT["_id"] and forwarded["forwards"][0]["reply"] is None
    assert forwarded["clocks"]["department_objection"]["stopped_at"] is None
    before = raw(assignment, "pet-1")

    impostor = as_department(assignment, "dep-someone-else")
    refused_without_change(assignment, "pet-1", post(assignment, "pet-1", "department-reply", impostor), 403,
                           "not-holder", before)
    replied = ok(post(assignment, "pet-1", "department-reply", as_department(assignment)))

    assert replied["forwards"][0]["reply"]["accepted"] is True
    assert replied["clocks"]["department_objection"]["stopped_at"] is not None
    assert types(assignment, "pet-1")[-2:] == ["petition.forwarded", "petition.department_replied"]


def test_a_mediation_request_is_an_event_for_the_mediation_service(assignment):
    accepted(assignment)

    ok(post(assignment, "pet-1", "mediation-request", holder_headers(assignment),
            {"kind": "three_party", "note": "请住建局参加三方会商"}))

    event = assert_outbox_is_a_valid_stream(assignment, "pet-1")[-1]
    assert event.type == "mediation.requested"
    assert (event.data["kind"], event.data["requested_by"]) == ("three_party", holder(assignment))


def test_the_answer_to_an_action_is_the_assignment_as_it_is_afterwards(assignment):
    open_petition(assignment)
    agent = holder_headers(assignment)

    answered = ok(post(assignment, "pet-1", "accept", agent))

    read = assignment.client.get(f"{URL}/pet-1", headers=agent).get_json()
    assert answered == read
    assert [h["action"] for h in answered["history"]] == ["accept"]
