"""assignment's assignments collection (the agents collection is agents_store's)."""
from __future__ import annotations

from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.errors import DuplicateKeyError

from shared import outbox
from shared.events import Event
from shared.http.pagination import paginate


ASSIGNMENTS = "assignments"
OPEN = ("assigned", "accepted")

INDEXES = {
    ASSIGNMENTS: [
        IndexModel([("holder.id", ASCENDING), ("status", ASCENDING)]),
        IndexModel([("division", ASCENDING), ("status", ASCENDING), ("opened_at", DESCENDING)]),
        IndexModel([("next_check_at", ASCENDING)], sparse=True),
        IndexModel([("outbox.id", ASCENDING)], sparse=True),
    ],
}


def open_cases(db, agent_ids: list[str]) -> dict[str, int]:
    """How many open petitions each agent holds (derived, so it can never drift)."""
    pipeline = [{"$match": {"holder.id": {"$in": agent_ids}, "status": {"$in": list(OPEN)}}},
                {"$group": {"_id": "$holder.id", "n": {"$sum": 1}}}]
    return {row["_id"]: row["n"] for row in db[ASSIGNMENTS].aggregate(pipeline)}


def insert_assignment(db, assignment: dict, events: list[Event]) -> bool:
    """False when this petition already has its assignment (a redelivered petition.submitted)."""
    try:
        db[ASSIGNMENTS].insert_one(outbox.new_document(assignment, events))
    except DuplicateKeyError:
        return False
    return True


def list_assignments(db, filter_: dict, page_args: dict) -> dict:
    return paginate(db[ASSIGNMENTS], filter_, page_args, [("opened_at", DESCENDING)])


def get(db, petition_id: str) -> dict | None:
    return db[ASSIGNMENTS].find_one({"_id": petition_id}, {"outbox": 0, "outbox_lease": 0})


def update_versioned(db, petition_id: str, version: int, update: dict) -> bool:
    """Optimistic concurrency: the update applies only to the version it was computed from."""
    return db[ASSIGNMENTS].update_one({"_id": petition_id, "version": version}, update).matched_count == 1


def due_for_check(db, now, banners: tuple[str, ...] = (), limit: int = 200) -> list[dict]:
    query: dict = {"next_check_at": {"$lte": now}}
    if banners:
        query["banner"] = {"$in": list(banners)}
    return list(db[ASSIGNMENTS].find(query, {"outbox": 0}).sort("next_check_at", ASCENDING).limit(limit))

