"""The agent registry's collection: agent documents carry their own outbox of agent.* events."""
from __future__ import annotations

import logging
import uuid
from typing import Callable, Iterable

from pymongo import ASCENDING, IndexModel, ReturnDocument
from pymongo.errors import DuplicateKeyError

from shared import outbox
from shared.events import Event, InvalidEvent, new_event
from shared.http.pagination import paginate

from .matching import Candidate

log = logging.getLogger(__name__)

AGENTS = "agents"
PROFILE = ("name", "kind", "division", "level", "languages", "specialities", "capacity", "active")
HIDDEN = (outbox.OUTBOX, "outbox_lease")

INDEXES = {
    AGENTS: [IndexModel([("division", ASCENDING), ("active", ASCENDING)]),
             IndexModel([("outbox.id", ASCENDING)], sparse=True),
             IndexModel([("idempotency_key", ASCENDING)], unique=True,
                        partialFilterExpression={"idempotency_key": {"$type": "string"}})],
}


class DuplicateIdempotencyKey(Exception):
    """Another request with the same (caller-scoped) Idempotency-Key created its agent first."""


def _without_outbox() -> dict:
    """A fresh projection each time (mongomock writes into the one it is given)."""
    return {name: 0 for name in HIDDEN}


def new_agent_id() -> str:
    return f"agt-{uuid.uuid4().hex}"


def profile_event(name: str, agent: dict, causation_id: str | None = None) -> Event:
    """agent.registered or agent.updated with the agent's public profile, numbered by its new version."""
    data = {"agent_id": agent["_id"], **{key: agent[key] for key in PROFILE},
            "synthetic": agent.get("synthetic", False)}
    return new_event(name, data, division=agent["division"], correlation_id=agent["_id"],
                     causation_id=causation_id, sequence=agent.get("version", 0) + 1)


def deactivated_event(agent: dict, reason: str, causation_id: str | None) -> Event:
    return new_event("agent.deactivated", {"agent_id": agent["_id"], "reason": reason},
                     division=agent["division"], correlation_id=agent["_id"], causation_id=causation_id,
                     sequence=agent["version"] + 1)


def insert(db, agent: dict, events: Iterable[Event]) -> dict:
    """The agent and its events in one insert; DuplicateIdempotencyKey when its key was used meanwhile."""
    document = outbox.new_document(agent, events)
    try:
        db[AGENTS].insert_one(document)
    except DuplicateKeyError as exc:
        # ask the store, not the error text: mongomock's message does not name the index
        key = agent.get("idempotency_key")
        if key and find_by_idempotency_key(db, key) is not None:
            raise DuplicateIdempotencyKey() from exc
        raise
    return {k: v for k, v in document.items() if k not in HIDDEN}


def find_by_idempotency_key(db, key: str) -> dict | None:
    """The agent an earlier request with this (caller-scoped) key created, or None."""
    return db[AGENTS].find_one({"idempotency_key": key}, _without_outbox())


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


def get(db, agent_id: str) -> dict | None:
    return db[AGENTS].find_one({"_id": agent_id}, _without_outbox())


def update(db, agent_id: str, version: int, changes: dict, events: Iterable[Event]) -> dict | None:
    """Apply ``changes`` only if the agent is still at ``version``; None when it is not (a conflict)."""
    return db[AGENTS].find_one_and_update({"_id": agent_id, "version": version},
                                          outbox.with_events({"$set": changes}, events),
                                          projection=_without_outbox(), return_document=ReturnDocument.AFTER)


def list_agents(db, filter_: dict, page_args: dict) -> dict:
    return paginate(db[AGENTS], filter_, page_args, [("division", ASCENDING), ("_id", ASCENDING)])


def candidate(agent: dict, open_cases: int = 0) -> Candidate:
    return Candidate(id=agent["_id"], name=agent["name"], kind=agent.get("kind", ""),
                     division=agent["division"], level=agent["level"],
                     languages=frozenset(agent.get("languages", ())),
                     specialities=frozenset(agent.get("specialities", ())),
                     capacity=agent.get("capacity", 0), active=agent.get("active", False), open_cases=open_cases)


def candidates(db, village: str, preferred_id: str | None = None,
               open_cases: Callable[[list[str]], dict[str, int]] = lambda ids: {}) -> list[Candidate]:
    """Active agents of the village and its township, and the chosen agent whatever their state;
    ``open_cases(ids)`` gives their current loads (assignments are not this module's collection)."""
    query = [{"division": {"$in": [village, village[:9]]}, "active": True}]
    if preferred_id:
        query.append({"_id": preferred_id})
    agents = list(db[AGENTS].find({"$or": query}, _without_outbox()))
    loads = open_cases([a["_id"] for a in agents])
    return [candidate(a, loads.get(a["_id"], 0)) for a in agents]


def publish_profiles(ctx) -> int:
    """Give every agent never announced (the demo agents, loaded without events) its agent.registered,
    once: the same update sets ``announced``. Returns how many were announced."""
    announced = 0
    for agent in ctx.db[AGENTS].find({"announced": {"$ne": True}}, _without_outbox()):
        announced += _announce(ctx.db, agent)
    if announced:
        ctx.nudge_relay()
        log.info("announced %d agents", announced)
    return announced


def _announce(db, agent: dict) -> int:
    try:
        event = profile_event("agent.registered", agent)
    except (InvalidEvent, KeyError) as exc:
        log.warning("agent %s cannot be announced: %s", agent["_id"], exc)
        return 0
    result = db[AGENTS].update_one({"_id": agent["_id"], "announced": {"$ne": True}},
                                   outbox.with_events({"$set": {"announced": True}}, [event]))
    return result.modified_count
