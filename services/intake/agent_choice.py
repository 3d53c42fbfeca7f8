"""Choosing one's own agent (自主选择代办员): which agents a petitioner may pick from in a division, how
loaded and how well rated each is, and the check a preferred agent passes at submission.

The profiles come from intake's copy of the agent directory; open cases and ratings are derived from
intake's own petitions (the agent who holds each one, and the petitioner's feedback on it), with one
aggregation each, restricted to the agents asked about (``assigned_agent.id`` is indexed: add
``PETITION_INDEXES`` to intake's petition indexes)."""
from __future__ import annotations

from pymongo import ASCENDING, IndexModel

from shared import divisions
from shared.http import Problem, field_error

from . import directory_store
from .store import PETITIONS

# serves both aggregations: the agent's petitions, narrowed by status for the open ones
PETITION_INDEXES = [IndexModel([("assigned_agent.id", ASCENDING), ("status", ASCENDING)])]

FINISHED = ("closed", "routed_out")
SATISFACTIONS = ("satisfied", "basically_satisfied", "dissatisfied")
LEVEL_ORDER = {"village": 0, "township": 1, "banner": 2, "league": 3}
SCOPES = ("village", "township", "banner")


def scope_filter(code: str) -> dict:
    """The directory filter for a division a petitioner looks in (a known village, township or banner):
    a village shows its own agents and its township's; a township, its own and its villages'; a banner,
    every agent in it."""
    division = divisions.get(code)
    if division is None or division.level not in SCOPES:
        raise ValueError(f"not a village, township or banner code: {code}")
    if division.level == "village":
        return {"division": {"$in": [code, divisions.township_of(code)]}}
    return {"division": {"$regex": f"^{code}"}}


def candidates(db, filter_: dict) -> list[dict]:
    return list(db[directory_store.AGENT_DIRECTORY].find(filter_))


def open_cases(db, agent_ids: list[str]) -> dict[str, int]:
    """Per agent: the petitions they hold that are not closed or routed out of the petition track."""
    if not agent_ids:
        return {}
    rows = db[PETITIONS].aggregate([
        {"$match": {"assigned_agent.id": {"$in": agent_ids}, "status": {"$nin": list(FINISHED)}}},
        {"$group": {"_id": "$assigned_agent.id", "n": {"$sum": 1}}},
    ])
    return {row["_id"]: row["n"] for row in rows}


def ratings(db, agent_ids: list[str], basic_weight: float) -> dict[str, dict]:
    """Per agent: the petitioners' feedback on the petitions they held, counted by satisfaction, and
    the satisfaction score (satisfied + weight × basically satisfied) ÷ count, None without feedback."""
    counts = {agent_id: dict.fromkeys(SATISFACTIONS, 0) for agent_id in agent_ids}
    if agent_ids:
        rows = db[PETITIONS].aggregate([
            {"$match": {"assigned_agent.id": {"$in": agent_ids},
                        "feedback.satisfaction": {"$in": list(SATISFACTIONS)}}},
            {"$group": {"_id": {"agent": "$assigned_agent.id", "satisfaction": "$feedback.satisfaction"},
                        "n": {"$sum": 1}}},
        ])
        for row in rows:
            counts[row["_id"]["agent"]][row["_id"]["satisfaction"]] = row["n"]
    return {agent_id: _rating(by_kind, basic_weight) for agent_id, by_kind in counts.items()}


def _rating(by_kind: dict[str, int], basic_weight: float) -> dict:
    count = sum(by_kind.values())
    score = None
    if count:
        score = round((by_kind["satisfied"] + basic_weight * by_kind["basically_satisfied"]) / count, 4)
    return {"count": count, **by_kind, "score": score}


def with_load_and_rating(db, agents: list[dict], basic_weight: float) -> list[dict]:
    """The agents, each with ``open_cases``, ``has_room`` and ``rating`` (two aggregations in all)."""
    ids = [agent["_id"] for agent in agents]
    load, rated = open_cases(db, ids), ratings(db, ids, basic_weight)
    out = []
    for agent in agents:
        cases = load.get(agent["_id"], 0)
        out.append({**agent, "open_cases": cases, "has_room": cases < agent["capacity"],
                    "rating": rated[agent["_id"]]})
    return out


def order_key(agent: dict):
    """Village agents first, then township, then banner; those with room first; better rated first
    (unrated after rated); then by id."""
    score = agent["rating"]["score"]
    return (LEVEL_ORDER.get(agent["level"], len(LEVEL_ORDER)), not agent["has_room"],
            score is None, -(score or 0.0), agent["_id"])


def check_preferred_agent(db, agent_id: str | None, village: str) -> None:
    """A petitioner's chosen agent must be in the directory, active, and of the village's banner; else
    422 naming ``preferred_agent_id``. No choice (None) passes."""
    if agent_id is None:
        return
    agent = directory_store.get(db, agent_id)
    if agent is None:
        _refuse("no such agent", "unknown agent")
    if not agent.get("active", False):
        _refuse("the chosen agent no longer takes petitions", "agent inactive")
    if agent["division"][:6] != village[:6]:
        _refuse("the chosen agent serves another banner than the village of the petition",
                "agent of another banner")


def _refuse(detail: str, message: str) -> None:
    raise Problem(422, detail=detail, errors=[field_error("preferred_agent_id", message)])
