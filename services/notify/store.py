"""notify's collections: in-app notifications (delivery channels and attempts come later), and who
to tell about each petition (recipients: the petitioner's reference and the agent holding it)."""
from __future__ import annotations

from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.errors import DuplicateKeyError

from shared.http.pagination import paginate

NOTIFICATIONS = "notifications"
RECIPIENTS = "recipients"

INDEXES = {NOTIFICATIONS: [IndexModel([("recipient_ref", ASCENDING), ("created_at", DESCENDING)])]}


def insert_once(db, notification: dict) -> bool:
    """The id is derived from the event and the audience, so a redelivered event adds nothing."""
    try:
        db[NOTIFICATIONS].insert_one(notification)
    except DuplicateKeyError:
        return False
    return True


def list_for(db, recipient_ref: str, page_args: dict) -> dict:
    return paginate(db[NOTIFICATIONS], {"recipient_ref": recipient_ref}, page_args, [("created_at", DESCENDING)])


def remember_recipient(db, petition_id: str, petitioner_ref: str, agent_id: str, sequence: int) -> bool:
    """Record the latest assignment's recipients; an older assignment arriving late changes nothing."""
    try:
        db[RECIPIENTS].update_one(
            {"_id": petition_id, "sequence": {"$lt": sequence}},
            {"$set": {"petitioner_ref": petitioner_ref, "agent_id": agent_id, "sequence": sequence}}, upsert=True)
    except DuplicateKeyError:
        return False
    return True


def recipient(db, petition_id: str) -> dict | None:
    return db[RECIPIENTS].find_one({"_id": petition_id})
