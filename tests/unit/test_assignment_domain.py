"""Matching a petition to an agent: the petitioner's choice, then village, then township."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from services.assignment.domain import Candidate, choose_agent, first_contact_due

VILLAGE = "152531100901"
TOWNSHIP = VILLAGE[:9]
NEIGHBOUR_VILLAGE = "152531101901"   # same banner, another township
OTHER_BANNER_VILLAGE = "152502001901"


def agent(agent_id: str, division: str = VILLAGE, *, open_cases: int = 0, capacity: int = 8,
          active: bool = True) -> Candidate:
    level = "village" if len(division) == 12 else "township"
    return Candidate(id=agent_id, name=f"{agent_id}（示例）", division=division, level=level,
                     capacity=capacity, active=active, open_cases=open_cases)


def test_the_petitioners_chosen_agent_is_honoured_when_active_with_room_and_in_the_same_banner():
    chosen = agent("agt-chosen", NEIGHBOUR_VILLAGE, open_cases=7)
    match = choose_agent(VILLAGE, [agent("agt-idle"), chosen], "agt-chosen")
    assert match.agent == chosen
    assert match.level == "village"
    assert match.reason == "chosen by the petitioner"


def test_a_chosen_township_agent_is_assigned_at_township_level():
    chosen = agent("agt-t", TOWNSHIP)
    match = choose_agent(VILLAGE, [agent("agt-v"), chosen], "agt-t")
    assert (match.agent.id, match.level) == ("agt-t", "township")


def test_a_chosen_agent_who_is_inactive_is_passed_over_with_the_reason():
    match = choose_agent(VILLAGE, [agent("agt-chosen", active=False), agent("agt-v")], "agt-chosen")
    assert match.agent.id == "agt-v"
    assert match.reason == ("village agent with the lowest load (0/8); "
                            "the chosen agent is inactive, full or of another banner")


def test_a_chosen_agent_who_is_full_is_passed_over():
    match = choose_agent(VILLAGE, [agent("agt-chosen", open_cases=8), agent("agt-v")], "agt-chosen")
    assert match.agent.id == "agt-v"
    assert "inactive, full or of another banner" in match.reason


def test_a_chosen_agent_of_another_banner_is_passed_over():
    match = choose_agent(VILLAGE, [agent("agt-far", OTHER_BANNER_VILLAGE), agent("agt-v")], "agt-far")
    assert match.agent.id == "agt-v"
    assert "inactive, full or of another banner" in match.reason


def test_an_unknown_chosen_agent_is_said_to_be_unknown():
    match = choose_agent(VILLAGE, [agent("agt-v")], "agt-ghost")
    assert match.agent.id == "agt-v"
    assert match.reason.endswith("; the chosen agent is unknown")


def test_a_village_agent_is_preferred_to_a_less_loaded_township_agent():
    match = choose_agent(VILLAGE, [agent("agt-t", TOWNSHIP), agent("agt-v", open_cases=7)])
    assert (match.agent.id, match.level) == ("agt-v", "village")
    assert match.reason == "village agent with the lowest load (7/8)"


def test_the_township_takes_the_petition_when_no_village_agent_has_room():
    candidates = [agent("agt-full", open_cases=8), agent("agt-off", active=False), agent("agt-t", TOWNSHIP, open_cases=1)]
    match = choose_agent(VILLAGE, candidates)
    assert (match.agent.id, match.level) == ("agt-t", "township")
    assert match.reason == "township agent with the lowest load (1/8)"


def test_the_lowest_load_relative_to_capacity_wins():
    busy_small = agent("agt-a", open_cases=2, capacity=4)    # 50 %
    busy_large = agent("agt-b", open_cases=3, capacity=10)   # 30 %
    assert choose_agent(VILLAGE, [busy_small, busy_large]).agent.id == "agt-b"


def test_equal_loads_are_broken_by_id_whatever_the_order_of_candidates():
    first, second = agent("agt-1", open_cases=1, capacity=4), agent("agt-2", open_cases=2, capacity=8)
    assert choose_agent(VILLAGE, [second, first]).agent.id == "agt-1"
    assert choose_agent(VILLAGE, [first, second]).agent.id == "agt-1"


def test_agents_of_other_villages_are_not_candidates_unless_chosen():
    match = choose_agent(VILLAGE, [agent("agt-neighbour", NEIGHBOUR_VILLAGE), agent("agt-t", TOWNSHIP, open_cases=5)])
    assert match.agent.id == "agt-t"


def test_an_agent_without_capacity_never_gets_a_petition():
    assert choose_agent(VILLAGE, [agent("agt-zero", capacity=0)]) is None
    assert choose_agent(VILLAGE, [agent("agt-zero", capacity=0)], "agt-zero") is None


def test_nobody_fits_when_every_agent_is_full_inactive_or_elsewhere():
    candidates = [agent("agt-full", open_cases=8), agent("agt-off", TOWNSHIP, active=False),
                  agent("agt-far", OTHER_BANNER_VILLAGE)]
    assert choose_agent(VILLAGE, candidates) is None
    assert choose_agent(VILLAGE, candidates, "agt-far") is None
    assert choose_agent(VILLAGE, []) is None


def test_first_contact_is_due_the_configured_hours_after_assignment():
    at = datetime(2025, 3, 1, 23, 30, tzinfo=timezone.utc)
    assert first_contact_due(at, 24) == at + timedelta(hours=24)
    assert first_contact_due(at, 2).tzinfo is timezone.utc
