"""mediation's collections: cases (sessions, parties and agreements come with the mediation issue)."""
from __future__ import annotations

from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.errors import DuplicateKeyError

from shared.http.pagination import paginate

CASES = "mediation_cases"

INDEXES = {CASES: [IndexModel([("division", ASCENDING), ("requested_at", DESCENDING)]),
                   IndexModel([("petition_id", ASCENDING)]),
                   IndexModel([("outbox.id", ASCENDING)], sparse=True)]}


def open_case(db, case: dict) -> bool:
    try:
        db[CASES].insert_one(case)
    except DuplicateKeyError:
        return False
    return True


def list_cases(db, prefix: str, page_args: dict) -> dict:
    return paginate(db[CASES], {"division": {"$regex": f"^{prefix}"}}, page_args, [("requested_at", DESCENDING)])
