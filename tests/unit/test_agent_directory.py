"""intake's copy of the agent directory follows each agent's events in order, once."""
from __future__ import annotations

import pytest

from services.intake import directory, directory_store, handlers, store
from shared.idempotency import SequenceGap

from .petition_stream import VILLAGE, agent_event, context, deliver


@pytest.fixture
def intake():
    ctx = context("intake", store.INDEXES, directory_store.INDEXES)
    ctx.extras["handlers"] = handlers.build(ctx)
    return ctx


def run(ctx, *events):
    for e in events:
        deliver(ctx.extras["handlers"], e)
    return directory_store.get(ctx.db, "agt-1")


def public(doc: dict) -> dict:
    return {key: doc[key] for key in directory.PROFILE_FIELDS}


def test_a_registered_agent_appears_with_the_public_profile(intake):
    agent = run(intake, agent_event("agent.registered", 1))
    assert public(agent) == {"name": "巴特尔（示例）", "kind": "grid_worker", "division": VILLAGE, "level": "village",
                             "languages": ["mn", "zh"], "specialities": ["land_grassland"], "capacity": 8,
                             "active": True, "synthetic": False}
    assert agent["_id"] == "agt-1"


def test_an_update_replaces_the_profile(intake):
    agent = run(intake, agent_event("agent.registered", 1), agent_event("agent.updated", 2, languages=["zh"]))
    assert (agent["capacity"], agent["languages"]) == (12, ["zh"])


def test_a_deactivated_agent_stays_listed_as_inactive(intake):
    agent = run(intake, agent_event("agent.registered", 1), agent_event("agent.deactivated", 2))
    assert agent["active"] is False
    assert agent["name"] == "巴特尔（示例）"


def test_an_update_ahead_of_its_predecessor_waits(intake):
    run(intake, agent_event("agent.registered", 1))
    late_update = agent_event("agent.updated", 3, capacity=20)
    with pytest.raises(SequenceGap):
        run(intake, late_update)
    assert run(intake, agent_event("agent.deactivated", 2))["capacity"] == 8
    agent = run(intake, late_update)
    assert (agent["capacity"], agent["active"]) == (20, True)


def test_an_update_of_an_agent_not_registered_here_yet_is_not_created(intake):
    with pytest.raises(SequenceGap):
        run(intake, agent_event("agent.updated", 2))
    assert directory_store.get(intake.db, "agt-1") is None


def test_a_redelivered_event_changes_nothing(intake):
    registered = agent_event("agent.registered", 1)
    run(intake, registered, agent_event("agent.updated", 2))
    before = directory_store.get(intake.db, "agt-1")
    assert run(intake, registered) == before
    assert run(intake, agent_event("agent.registered", 1)) == before


def test_a_first_event_that_is_a_deactivation_is_retried_not_invented(intake):
    with pytest.raises(directory.AgentNotYetHere):
        run(intake, agent_event("agent.deactivated", 1))
    assert directory_store.get(intake.db, "agt-1") is None


def test_the_directory_is_indexed_by_division_and_state(intake):
    keys = [info["key"] for info in intake.db[directory_store.AGENT_DIRECTORY].index_information().values()]
    assert [("division", 1), ("active", 1)] in keys
