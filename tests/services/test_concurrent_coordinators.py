"""Two coordinators acting on the same assignment at once cannot both win: every change is stored under
the version it was computed from (and a client may name the version it saw with If-Match). The loser gets
409 conflict and the document shows exactly one change."""
from __future__ import annotations

import threading
from datetime import datetime, timezone

import pytest

from services.assignment import store
from tests.support.services import auth

from .helpers import VILLAGE, problem_of, submitted_event

URL = "/api/v1/assignments"
START = datetime(2025, 3, 3, 2, 0, tzinfo=timezone.utc)
TOWNSHIP, BANNER = VILLAGE[:9], VILLAGE[:6]
TOWNSHIP_AGENT = "agt-152525100-t1"
VILLAGE_AGENTS = ("agt-152525100901-1", "agt-152525100901-2")


class RendezvousClock:
    """A fixed clock. A request thread that has called ``arm()`` waits at its first reading (the workbench
    reads the clock after loading the assignment and before deciding) until every armed thread has got
    there: so all of them have read the same version before any of them writes."""

    def __init__(self, now: datetime, parties: int):
        self.now = now
        self.barrier = threading.Barrier(parties, timeout=10)
        self._local = threading.local()

    def arm(self) -> None:
        self._local.armed = True

    def __call__(self) -> datetime:
        if getattr(self._local, "armed", False):
            self._local.armed = False
            self.barrier.wait()
        return self.now


def raw(service, petition_id: str = "pet-1") -> dict:
    return service.db[store.ASSIGNMENTS].find_one({"_id": petition_id})


def coordinator(service, sub: str, division: str) -> dict:
    return auth(service.settings, "coordinator", sub, division)


def at_once(service, requests: list[tuple[str, dict, dict | None]], clock: RendezvousClock | None = None) -> list:
    """Send the requests from one thread each, released together; the responses in the same order."""
    start = threading.Barrier(len(requests), timeout=10)
    responses: list = [None] * len(requests)
    errors: list = []

    def send(i: int, path: str, headers: dict, body: dict | None) -> None:
        try:
            client = service.app.test_client()
            if clock is not None:
                clock.arm()
            start.wait()
            responses[i] = client.post(path, headers=headers, **({"json": body} if body is not None else {}))
        except BaseException as exc:  # reported by the test thread
            errors.append(exc)

    threads = [threading.Thread(target=send, args=(i, *r)) for i, r in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert not errors, errors
    assert all(not t.is_alive() for t in threads)
    return responses


def one_winner(responses) -> tuple[int, dict]:
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200, 409], [r.get_data(as_text=True) for r in responses]
    winner = next(i for i, r in enumerate(responses) if r.status_code == 200)
    loser = responses[1 - winner]
    problem = problem_of(loser, 409, "conflict")
    return winner, problem


@pytest.fixture
def rendezvous():
    return RendezvousClock(START, parties=2)


@pytest.fixture
def assignment(make_service, rendezvous):
    service = make_service("assignment", clock=rendezvous)
    service.deliver(submitted_event(VILLAGE, "pet-1"))
    return service


def test_two_coordinators_reassigning_at_once_cannot_both_win(assignment, rendezvous):
    before = raw(assignment)
    village_agent = next(a for a in VILLAGE_AGENTS if a != before["holder"]["id"])
    choices = [TOWNSHIP_AGENT, village_agent]
    requests = [
        (f"{URL}/pet-1/reassign", coordinator(assignment, "coord-township", TOWNSHIP), {"agent_id": choices[0]}),
        (f"{URL}/pet-1/reassign", coordinator(assignment, "coord-banner", BANNER), {"agent_id": choices[1]})]

    winner, problem = one_winner(at_once(assignment, requests, rendezvous))

    assert {e["field"] for e in problem["errors"]} == {"version"}
    after = raw(assignment)
    assert after["version"] == before["version"] + 1
    assert after["holder"]["id"] == choices[winner]
    assert [h["action"] for h in after["history"]] == [h["action"] for h in before["history"]] + ["assign"]
    assert after["history"][-1]["by"] == ["coordinator:coord-township", "coordinator:coord-banner"][winner]
    new_events = after["outbox"][len(before["outbox"]):]
    assert [(e["type"], e["data"]["agent"]["id"]) for e in new_events] == [("petition.assigned", choices[winner])]
    assert new_events[0]["sequence"] == before["seq"] + 1


def test_two_coordinators_taking_at_once_cannot_both_win(assignment, rendezvous):
    before = raw(assignment)
    subs = ["coord-township", "coord-banner"]
    requests = [(f"{URL}/pet-1/take", coordinator(assignment, subs[0], TOWNSHIP), None),
                (f"{URL}/pet-1/take", coordinator(assignment, subs[1], BANNER), None)]

    winner, _ = one_winner(at_once(assignment, requests, rendezvous))

    after = raw(assignment)
    assert after["version"] == before["version"] + 1
    assert (after["status"], after["holder"]["id"]) == ("accepted", subs[winner])
    assert len(after["history"]) == len(before["history"]) + 1
    assert [e["type"] for e in after["outbox"][len(before["outbox"]):]] == ["petition.assigned", "assignment.accepted"]


def test_two_coordinators_who_saw_the_same_version_race_without_help_and_only_one_wins(make_service):
    """No forced interleaving here: each names the version it saw (If-Match), as a client should; whatever
    the order the threads run in, the second one to arrive is refused."""
    service = make_service("assignment")
    service.deliver(submitted_event(VILLAGE, "pet-1"))
    before = raw(service)
    seen = str(before["version"])
    subs = ["coord-a", "coord-b"]
    requests = [(f"{URL}/pet-1/take", {**coordinator(service, sub, TOWNSHIP), "If-Match": seen}, None) for sub in subs]

    winner, _ = one_winner(at_once(service, requests))

    after = raw(service)
    assert after["version"] == before["version"] + 1
    assert after["holder"]["id"] == subs[winner]
    assert len(after["history"]) == len(before["history"]) + 1


def test_a_stale_if_match_is_409_and_changes_nothing(assignment):
    headers = coordinator(assignment, "coord-township", TOWNSHIP)
    stale = str(raw(assignment)["version"])
    assert assignment.client.post(f"{URL}/pet-1/reassign", headers=headers,
                                  json={"agent_id": TOWNSHIP_AGENT}).status_code == 200
    before = raw(assignment)

    response = assignment.client.post(f"{URL}/pet-1/take", headers={**headers, "If-Match": stale})

    problem = problem_of(response, 409, "conflict")
    assert {e["field"] for e in problem["errors"]} == {"If-Match"}
    assert raw(assignment) == before


@pytest.mark.parametrize("quoted", [False, True])
def test_the_current_version_as_if_match_is_accepted(assignment, quoted):
    version = raw(assignment)["version"]
    tag = f'"{version}"' if quoted else str(version)
    held = raw(assignment)["holder"]

    response = assignment.client.post(f"{URL}/pet-1/accept", headers={
        **auth(assignment.settings, "agent", held["id"], held["division"]), "If-Match": tag})

    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["version"] == version + 1
