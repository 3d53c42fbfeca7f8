"""The division registry, and the synthetic villages and agents the demo relies on."""
from __future__ import annotations

from services.assignment.demo_data import demo_agents
from shared import divisions

VILLAGE = "152531100901"


def test_a_villages_ancestors_run_up_to_the_league_lowest_first():
    assert divisions.ancestors(VILLAGE) == [VILLAGE, "152531100", "152531", "152500"]


def test_the_league_is_its_own_only_ancestor_and_an_unknown_code_has_none():
    assert divisions.ancestors(divisions.LEAGUE) == ["152500"]
    assert divisions.ancestors("152531100999") == []


def test_every_division_below_the_league_nests_by_prefix_in_its_parent():
    expected_parent = {"banner": "league", "township": "banner", "village": "township"}
    for division in divisions.registry().values():
        if division.level in expected_parent:
            parent = divisions.get(division.parent_code)
            assert parent is not None and parent.level == expected_parent[division.level], division
            prefix = parent.code[:4] if parent.level == "league" else parent.code
            assert division.code.startswith(prefix), division


def test_township_of_a_village_and_of_anything_else():
    assert divisions.township_of(VILLAGE) == "152531100"
    assert divisions.township_of("152531100") is None


def test_only_village_codes_are_villages():
    assert divisions.is_village(VILLAGE)
    assert not divisions.is_village("152531100")
    assert not divisions.is_village("152531100999")


def test_every_village_is_synthetic_marked_and_coded_in_the_9xx_range_of_a_real_township():
    villages = divisions.villages()
    assert villages
    for village in villages:
        township = divisions.get(village.parent_code)
        assert village.synthetic, village
        assert village.name.startswith("示例"), village
        assert township is not None and township.level == "township" and not township.synthetic
        assert village.code[:9] == township.code and village.code[9] == "9" and len(village.code) == 12


def test_the_real_divisions_are_not_marked_synthetic():
    real = [d for d in divisions.registry().values() if d.level != "village"]
    assert real and not any(d.synthetic for d in real)


def test_every_township_has_a_synthetic_village_with_an_active_agent():
    active = {a["division"] for a in demo_agents() if a["active"] and a["capacity"] > 0 and a["level"] == "village"}
    townships = [d for d in divisions.registry().values() if d.level == "township"]
    assert townships
    without = [t.code for t in townships
               if not any(v.parent_code == t.code and v.code in active for v in divisions.villages())]
    assert without == []


def test_every_demo_agent_is_synthetic_marked_and_placed_in_a_known_division_of_its_level():
    agents = demo_agents()
    assert agents
    misplaced = [a["id"] for a in agents
                 if not (a["synthetic"] is True and "示例" in a["name"] and divisions.get(a["division"]) is not None
                         and divisions.get(a["division"]).level == a["level"])]
    assert misplaced == []
    assert len({a["id"] for a in agents}) == len(agents), "agent ids are unique"
