"""Idempotent consumers: apply an event and record that it was applied in one single-document update.

The guard is the event id (``applied`` holds the ids of the last events applied to the document)
and, for ordered streams, the sequence of the aggregate that produced the events: an event whose
predecessor has not been applied yet is refused as a gap, so the consumer retries it later instead
of applying it out of order.
"""
from __future__ import annotations

from enum import Enum

from pymongo.errors import DuplicateKeyError

from .events import Event

APPLIED = "applied"
KEEP_APPLIED = 500


class Outcome(Enum):
    APPLIED = "applied"
    DUPLICATE = "duplicate"
    MISSING = "missing"


class SequenceGap(RuntimeError):
    """An event arrived before its predecessor in the same stream; retry later."""


def guarded(filter_: dict, update: dict, event: Event, stream: str | None = None) -> tuple[dict, dict]:
    """The filter and update that apply ``update`` only if ``event`` was not applied yet."""
    guard = {**filter_, APPLIED: {"$ne": event.id}}
    merged = {op: dict(fields) for op, fields in update.items()}
    merged.setdefault("$push", {})[APPLIED] = {"$each": [event.id], "$slice": -KEEP_APPLIED}
    if stream:
        key = f"streams.{stream}"
        guard[key] = event.sequence - 1 if event.sequence > 1 else {"$exists": False}
        merged.setdefault("$set", {})[key] = event.sequence
    return guard, merged


def apply_once(collection, filter_: dict, update: dict, event: Event, *,
               stream: str | None = None, upsert: bool = False) -> Outcome:
    """Apply ``update`` to the one document matching ``filter_``, at most once per event."""
    guard, merged = guarded(filter_, update, event, stream)
    # only a stream's first event may create the document; a later one first needs its predecessors
    upsert = upsert and (stream is None or event.sequence == 1)
    try:
        result = collection.update_one(guard, merged, upsert=upsert)
    except DuplicateKeyError:
        # the upsert lost a race to the document that already recorded this event
        return Outcome.DUPLICATE
    if result.matched_count or (upsert and result.upserted_id is not None):
        return Outcome.APPLIED
    return _why_not_applied(collection, filter_, event, stream)


def _why_not_applied(collection, filter_: dict, event: Event, stream: str | None) -> Outcome:
    doc = collection.find_one(filter_, {APPLIED: 1, "streams": 1})
    if doc is None:
        if stream and event.sequence > 1:
            raise SequenceGap(f"{stream}: nothing applied yet, got {event.sequence}")
        return Outcome.MISSING
    if event.id in doc.get(APPLIED, []):
        return Outcome.DUPLICATE
    if stream:
        seen = doc.get("streams", {}).get(stream, 0)
        if event.sequence <= seen:
            return Outcome.DUPLICATE
        raise SequenceGap(f"{stream}: have {seen}, got {event.sequence}")
    return Outcome.DUPLICATE
