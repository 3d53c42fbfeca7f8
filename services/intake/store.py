"""intake's collections. The only module here that knows pymongo."""
from __future__ import annotations

from datetime import datetime

from pymongo import ASCENDING, DESCENDING, IndexModel, ReturnDocument
from pymongo.errors import DuplicateKeyError

from shared import outbox
from shared.events import Event
from shared.http.pagination import paginate
from shared.idempotency import Outcome, apply_once

PETITIONS = "petitions"
SERIALS = "petition_serials"
READS = "petition_reads"
FINISHED = ("closed", "routed_out")
STREAM = "assignment"  # the events assignment produces about a petition, numbered 1, 2, 3 ...

INDEXES = {
    PETITIONS: [
        IndexModel([("number", ASCENDING)], unique=True),
        IndexModel([("petitioner_ref", ASCENDING), ("received_at", DESCENDING)]),
        IndexModel([("petitioner_ref", ASCENDING), ("idempotency_key", ASCENDING)], unique=True,
                   partialFilterExpression={"idempotency_key": {"$type": "string"}}),
        IndexModel([("division", ASCENDING), ("received_at", DESCENDING)]),
        IndexModel([("outbox.id", ASCENDING)], sparse=True),
    ],
    READS: [IndexModel([("petition_id", ASCENDING), ("at", DESCENDING)])],
}


def next_serial(db, banner: str, day: str) -> int:
    counter = db[SERIALS].find_one_and_update({"_id": f"{banner}-{day}"}, {"$inc": {"value": 1}},
                                              upsert=True, return_document=ReturnDocument.AFTER)
    return counter["value"]


class DuplicateIdempotencyKey(Exception):
    pass


def insert_petition(db, petition: dict, events: list[Event]) -> None:
    """The petition and its events in one insert (the outbox is inside the document)."""
    try:
        db[PETITIONS].insert_one(outbox.new_document(petition, events))
    except DuplicateKeyError as exc:
        # ask the store, not the error text: mongomock's message does not name the index
        key = petition.get("idempotency_key")
        if key and find_by_idempotency_key(db, petition["petitioner_ref"], key) is not None:
            raise DuplicateIdempotencyKey() from exc
        raise


def open_petitions_of(db, petitioner_ref: str, division: str) -> list[dict]:
    """The petitioner's petitions in this village that are still being handled."""
    return list(db[PETITIONS].find({"petitioner_ref": petitioner_ref, "division": division,
                                    "status": {"$nin": list(FINISHED)}},
                                   {"title": 1, "description": 1, "number": 1, "status": 1}))


def find_by_number(db, number: str) -> dict | None:
    return db[PETITIONS].find_one({"number": number})


def record_read(db, petition_id: str, principal, at) -> None:
    """Every read of a petition by staff is audited."""
    db[READS].insert_one({"petition_id": petition_id, "role": principal.role, "sub": principal.sub, "at": at})


def find_by_idempotency_key(db, petitioner_ref: str | None, key: str) -> dict | None:
    """``petitioner_ref`` None: the key is its owner's alone (an agent's), whoever the petitioner."""
    query = {"idempotency_key": key} if petitioner_ref is None else {"petitioner_ref": petitioner_ref,
                                                                      "idempotency_key": key}
    return db[PETITIONS].find_one(query)


def get(db, petition_id: str) -> dict | None:
    return db[PETITIONS].find_one({"_id": petition_id})


def list_for_petitioner(db, petitioner_ref: str, page_args: dict) -> dict:
    return paginate(db[PETITIONS], {"petitioner_ref": petitioner_ref}, page_args, [("received_at", DESCENDING)])


def apply_progress(db, event: Event, fields: dict, entry: dict | None, at: datetime) -> Outcome:
    """One step of the assignment stream, in its order, once: a gap raises SequenceGap."""
    update: dict = {"$set": {**fields, "updated_at": at}} if fields or entry else {}
    if entry is not None:
        update["$push"] = {"timeline": entry}
    return apply_once(db[PETITIONS], {"_id": event.correlation_id}, update, event, stream=STREAM)

