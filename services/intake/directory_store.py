"""The agent directory copy's collection. Merge ``INDEXES`` into intake's store.INDEXES."""
from __future__ import annotations

from datetime import datetime

from pymongo import ASCENDING, IndexModel

from shared.events import Event
from shared.idempotency import Outcome, apply_once

AGENT_DIRECTORY = "agent_directory"
STREAM = "agent"

INDEXES = {AGENT_DIRECTORY: [IndexModel([("division", ASCENDING), ("active", ASCENDING)])]}


def upsert_profile(db, event: Event, agent_id: str, profile: dict, at: datetime) -> Outcome:
    """The agent's first event creates the document; a later one waits for its predecessors."""
    return apply_once(db[AGENT_DIRECTORY], {"_id": agent_id}, {"$set": {**profile, "updated_at": at}},
                      event, stream=STREAM, upsert=True)


def deactivate(db, event: Event, agent_id: str, at: datetime) -> Outcome:
    return apply_once(db[AGENT_DIRECTORY], {"_id": agent_id}, {"$set": {"active": False, "updated_at": at}},
                      event, stream=STREAM)


def get(db, agent_id: str) -> dict | None:
    return db[AGENT_DIRECTORY].find_one({"_id": agent_id})
