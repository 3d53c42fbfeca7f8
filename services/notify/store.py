"""notify's collections: in-app notifications (delivery channels and attempts come later)."""
from __future__ import annotations

from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.errors import DuplicateKeyError

from shared.http.pagination import paginate

NOTIFICATIONS = "notifications"

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
