"""The transactional outbox, kept inside the aggregate's own document.

A state change and the events it causes are written by one single-document update: the events are
appended to the document's ``outbox`` array by the same ``$push`` that changes the state. The relay
(shared.relay) publishes them with confirms and only then pulls them out. No multi-document
transaction is needed anywhere, on MongoDB or on mongomock.
"""
from __future__ import annotations

from typing import Iterable

from .events import Event

OUTBOX = "outbox"


def event_documents(events: Iterable[Event]) -> list[dict]:
    return [event.to_message() for event in events]


def new_document(document: dict, events: Iterable[Event]) -> dict:
    """A document to insert, carrying the events its creation causes."""
    return {**document, OUTBOX: event_documents(events), "version": 1}


def with_events(update: dict, events: Iterable[Event]) -> dict:
    """Add ``$push`` of the events to an update and bump the aggregate version."""
    docs = event_documents(events)
    merged = {op: dict(fields) for op, fields in update.items()}
    if docs:
        merged.setdefault("$push", {})[OUTBOX] = {"$each": docs}
    merged.setdefault("$inc", {})["version"] = 1
    return merged


def pending(collection, limit: int = 100, ids_only: bool = False) -> list[dict]:
    """Documents with unpublished events (order across aggregates does not matter)."""
    projection = {"_id": 1} if ids_only else {OUTBOX: 1}
    return list(collection.find({f"{OUTBOX}.id": {"$exists": True}}, projection).limit(limit))


def mark_published(collection, document_id, event_id: str) -> None:
    collection.update_one({"_id": document_id}, {"$pull": {OUTBOX: {"id": event_id}}})


def remove_published(collection, document_id, event_ids: list[str], lease_owner: str) -> None:
    """Pull the confirmed events and release the relay's lease, in one update."""
    update: dict = {"$unset": {"outbox_lease": ""}}
    if event_ids:
        update["$pull"] = {OUTBOX: {"id": {"$in": event_ids}}}
    collection.update_one({"_id": document_id, "outbox_lease.owner": lease_owner}, update)


def backlog(collection) -> int:
    total = 0
    for doc in collection.find({f"{OUTBOX}.id": {"$exists": True}}, {OUTBOX: 1}):
        total += len(doc.get(OUTBOX, []))
    return total
