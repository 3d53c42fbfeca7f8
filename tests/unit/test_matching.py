"""Matching rules: the petitioner's choice, village before township, language, speciality, load,
tie-break; never a full, inactive or excluded agent; the reason names the rule that decided."""
from __future__ import annotations

import pytest

from services.assignment.matching import AgentIndex, Candidate, Needs, choose_agent

VILLAGE = "152525100901"
TOWNSHIP = VILLAGE[:9]
NEIGHBOUR_VILLAGE = "152525100902"    # same township
OTHER_TOWNSHIP_VILLAGE = "152525101901"  # same banner, another township
OTHER_BANNER_VILLAGE = "152531100901"


def agent(agent_id: str, division: str = VILLAGE, *, languages=("zh",), specialities=(), open_cases: int = 0,
          capacity: int = 8, active: bool = True) -> Candidate:
    level = {12: "village", 9: "township", 6: "banner"}[len(division)]
    return Candidate(id=agent_id, name=f"{agent_id}（示例）", kind="village_cadre", division=division, level=level,
                     languages=frozenset(languages), specialities=frozenset(specialities), capacity=capacity,
                     active=active, open_cases=open_cases)


def needs(**overrides) -> Needs:
    return Needs(**{"village": VILLAGE, **overrides})


# --- the petitioner's choice ---------------------------------------------------------------------

def test_the_chosen_agent_is_honoured_when_active_with_room_and_in_the_same_banner():
    chosen = agent("agt-z-chosen", OTHER_TOWNSHIP_VILLAGE, open_cases=7, languages=("mn",))
    match = choose_agent(needs(preferred_agent_id="agt-z-chosen"), [agent("agt-a-idle"), chosen])

    assert match.agent == chosen
    assert match.level == "village"
    assert match.reason == "chosen by the petitioner"


def test_a_chosen_township_agent_holds_the_petition_at_township_level():
    match = choose_agent(needs(preferred_agent_id="agt-t"), [agent("agt-v"), agent("agt-t", TOWNSHIP)])

    assert (match.agent.id, match.level) == ("agt-t", "township")


@pytest.mark.parametrize("chosen, why", [
    (agent("agt-chosen", active=False), "; the chosen agent is inactive"),
    (agent("agt-chosen", open_cases=8), "; the chosen agent is full (8/8)"),
    (agent("agt-chosen", capacity=0), "; the chosen agent is full (0/0)"),
    (agent("agt-chosen", OTHER_BANNER_VILLAGE), "; the chosen agent is of another banner"),
])
def test_a_chosen_agent_who_does_not_fit_is_passed_over_with_the_reason(chosen, why):
    match = choose_agent(needs(preferred_agent_id="agt-chosen"), [chosen, agent("agt-v")])

    assert match.agent.id == "agt-v"
    assert match.reason == "the only village agent with room (load 0/8)" + why


def test_a_chosen_agent_who_declined_is_not_given_the_petition_again():
    candidates = [agent("agt-chosen"), agent("agt-v", open_cases=3)]
    match = choose_agent(needs(preferred_agent_id="agt-chosen", exclude=frozenset({"agt-chosen"})), candidates)

    assert match.agent.id == "agt-v"
    assert match.reason.endswith("; the chosen agent declined this petition")


def test_an_unknown_chosen_agent_is_said_to_be_unknown():
    match = choose_agent(needs(preferred_agent_id="agt-ghost"), [agent("agt-v")])

    assert match.agent.id == "agt-v"
    assert match.reason.endswith("; the chosen agent is unknown")


# --- village, then township ----------------------------------------------------------------------

def test_a_village_agent_is_preferred_to_a_better_fitting_township_agent():
    township = agent("agt-t", TOWNSHIP, languages=("mn", "zh"), specialities=("housing",))
    village = agent("agt-v", open_cases=7)
    match = choose_agent(needs(language="mn", subject="housing"), [township, village])

    assert (match.agent.id, match.level) == ("agt-v", "village")
    assert match.reason == "the only village agent with room (load 7/8); no village agent with room speaks mn"


def test_the_township_takes_the_petition_when_no_village_agent_has_room():
    candidates = [agent("agt-full", open_cases=8), agent("agt-off", active=False),
                  agent("agt-declined"), agent("agt-t", TOWNSHIP, open_cases=1)]
    match = choose_agent(needs(exclude=frozenset({"agt-declined"})), candidates)

    assert (match.agent.id, match.level) == ("agt-t", "township")
    assert match.reason == "no village agent with room; the only township agent with room (load 1/8)"


def test_agents_of_other_villages_and_townships_are_not_candidates_unless_chosen():
    candidates = [agent("agt-neighbour", NEIGHBOUR_VILLAGE), agent("agt-far", OTHER_TOWNSHIP_VILLAGE),
                  agent("agt-t", TOWNSHIP, open_cases=5)]

    assert choose_agent(needs(), candidates).agent.id == "agt-t"


# --- language, speciality, load, tie-break -------------------------------------------------------

def test_a_mongolian_speaking_herder_gets_a_mongolian_speaking_agent_even_if_busier():
    candidates = [agent("agt-a", languages=("zh",)), agent("agt-b", languages=("mn", "zh"), open_cases=6)]
    match = choose_agent(needs(language="mn"), candidates)

    assert match.agent.id == "agt-b"
    assert match.reason == "village agent speaking mn (load 6/8)"


def test_language_counts_before_speciality():
    speaker = agent("agt-b", languages=("mn",))
    specialist = agent("agt-a", languages=("zh",), specialities=("land_grassland",))

    assert choose_agent(needs(language="mn", subject="land_grassland"), [specialist, speaker]).agent.id == "agt-b"


def test_a_speciality_in_the_subject_wins_among_speakers():
    candidates = [agent("agt-a"), agent("agt-b", specialities=("labour_wages", "housing"), open_cases=5)]
    match = choose_agent(needs(subject="housing"), candidates)

    assert match.agent.id == "agt-b"
    assert match.reason == "village agent specialised in housing (load 5/8)"


def test_the_lowest_load_relative_to_capacity_wins():
    busy_small = agent("agt-a", open_cases=2, capacity=4)    # 50 %
    busy_large = agent("agt-b", open_cases=3, capacity=10)   # 30 %
    match = choose_agent(needs(), [busy_small, busy_large])

    assert match.agent.id == "agt-b"
    assert match.reason == "village agent with the lowest load (3/10)"


def test_equal_loads_are_broken_by_id_whatever_the_order_of_candidates():
    first, second = agent("agt-1", open_cases=1, capacity=4), agent("agt-2", open_cases=2, capacity=8)

    assert choose_agent(needs(), [second, first]).agent.id == "agt-1"
    assert choose_agent(needs(), [first, second]).agent.id == "agt-1"
    assert choose_agent(needs(), [second, first]).reason == "village agent with the lowest load (1/4), tie broken by id"


# --- nobody fits ---------------------------------------------------------------------------------

def test_nobody_fits_when_every_agent_is_full_inactive_excluded_or_elsewhere():
    candidates = [agent("agt-full", open_cases=8), agent("agt-off", TOWNSHIP, active=False),
                  agent("agt-declined", TOWNSHIP), agent("agt-far", OTHER_BANNER_VILLAGE),
                  agent("agt-banner", VILLAGE[:6])]
    excluded = frozenset({"agt-declined"})

    assert choose_agent(needs(exclude=excluded), candidates) is None
    assert choose_agent(needs(exclude=excluded, preferred_agent_id="agt-far"), candidates) is None
    assert choose_agent(needs(exclude=excluded, preferred_agent_id="agt-full"), candidates) is None
    assert choose_agent(needs(), []) is None


@pytest.mark.parametrize("bad", [{"village": TOWNSHIP}, {"village": "15252510090x"}, {"language": "fr"},
                                 {"subject": "weather"}])
def test_needs_refuse_what_no_petition_can_carry(bad):
    with pytest.raises(ValueError):
        needs(**bad)


# --- the index -----------------------------------------------------------------------------------

def test_the_index_gives_the_village_and_township_agents_and_the_chosen_one():
    index = AgentIndex([agent("agt-v"), agent("agt-t", TOWNSHIP), agent("agt-n", NEIGHBOUR_VILLAGE),
                        agent("agt-far", OTHER_BANNER_VILLAGE)])

    assert {c.id for c in index.candidates_for(VILLAGE)} == {"agt-v", "agt-t"}
    assert {c.id for c in index.candidates_for(VILLAGE, "agt-far")} == {"agt-v", "agt-t", "agt-far"}
    assert len(index.candidates_for(VILLAGE, "agt-v")) == 2
    assert len(index) == 4


def test_the_index_follows_updates_moves_and_removals():
    index = AgentIndex([agent("agt-v"), agent("agt-t", TOWNSHIP)])

    index.update(agent("agt-v", NEIGHBOUR_VILLAGE, open_cases=3))
    index.remove("agt-t")

    assert index.candidates_for(VILLAGE) == []
    assert [c.open_cases for c in index.candidates_for(NEIGHBOUR_VILLAGE)] == [3]
    assert index.get("agt-t") is None and len(index) == 1
    with pytest.raises(KeyError):
        index.update(agent("agt-ghost"))


def test_matching_through_the_index_sees_the_new_load():
    index = AgentIndex([agent("agt-a", open_cases=1), agent("agt-b", open_cases=2)])

    index.update(agent("agt-a", open_cases=4))

    assert choose_agent(needs(), index.candidates_for(VILLAGE)).agent.id == "agt-b"
