"""assignment's collections: agents and assignments."""
from __future__ import annotations

from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.errors import DuplicateKeyError

from shared import outbox
from shared.events import Event
from shared.http.pagination import paginate

from .domain import Candidate

AGENTS = "agents"
ASSIGNMENTS = "assignments"
OPEN = ("assigned",)

INDEXES = {
    AGENTS: [IndexModel([("division", ASCENDING), ("active", ASCENDING)])],
    ASSIGNMENTS: [
        IndexModel([("agent_id", ASCENDING), ("status", ASCENDING)]),
        IndexModel([("division", ASCENDING), ("assigned_at", DESCENDING)]),
        IndexModel([("outbox.id", ASCENDING)], sparse=True),
    ],
}


def load_agents(db, agents: list[dict]) -> int:
    """Upsert by id: loading the same file twice changes nothing."""
    added = 0
    for agent in agents:
        fields = {k: v for k, v in agent.items() if k != "id"}
        result = db[AGENTS].update_one({"_id": agent["id"]}, {"$setOnInsert": fields}, upsert=True)
        added += result.upserted_id is not None
    return added


def count_agents(db) -> int:
    return db[AGENTS].count_documents({})


def candidates(db, village: str, preferred_id: str | None) -> list[Candidate]:
    scopes = [village, village[:9]]
    query = {"$or": [{"division": {"$in": scopes}}] + ([{"_id": preferred_id}] if preferred_id else [])}
    agents = list(db[AGENTS].find(query))
    loads = _open_cases(db, [a["_id"] for a in agents])
    return [Candidate(id=a["_id"], name=a["name"], division=a["division"], level=a["level"],
                      capacity=a.get("capacity", 0), active=a.get("active", False),
                      open_cases=loads.get(a["_id"], 0)) for a in agents]


def _open_cases(db, agent_ids: list[str]) -> dict[str, int]:
    pipeline = [{"$match": {"agent_id": {"$in": agent_ids}, "status": {"$in": list(OPEN)}}},
                {"$group": {"_id": "$agent_id", "n": {"$sum": 1}}}]
    return {row["_id"]: row["n"] for row in db[ASSIGNMENTS].aggregate(pipeline)}


def insert_assignment(db, assignment: dict, events: list[Event]) -> bool:
    """False when this petition already has its assignment (a redelivered petition.submitted)."""
    try:
        db[ASSIGNMENTS].insert_one(outbox.new_document(assignment, events))
    except DuplicateKeyError:
        return False
    return True


def list_assignments(db, filter_: dict, page_args: dict) -> dict:
    return paginate(db[ASSIGNMENTS], filter_, page_args, [("assigned_at", DESCENDING)])


def get(db, petition_id: str) -> dict | None:
    return db[ASSIGNMENTS].find_one({"_id": petition_id}, {"outbox": 0})
