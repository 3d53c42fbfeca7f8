"""Responsible departments (责任部门) per banner: where an agent forwards a matter."""
from __future__ import annotations

import uuid

from pymongo import ASCENDING, IndexModel
from pymongo.errors import DuplicateKeyError

from shared.http.pagination import paginate

DEPARTMENTS = "departments"

INDEXES = {
    DEPARTMENTS: [IndexModel([("banner", ASCENDING), ("name", ASCENDING)], unique=True),
                  IndexModel([("idempotency_key", ASCENDING)], unique=True,
                             partialFilterExpression={"idempotency_key": {"$type": "string"}})],
}


class DuplicateName(Exception):
    """The banner already has a department of that name."""


class DuplicateIdempotencyKey(Exception):
    """Another request with the same (caller-scoped) Idempotency-Key created its department first."""


def new_department_id() -> str:
    return f"dep-{uuid.uuid4().hex}"


def insert(db, department: dict) -> dict:
    try:
        db[DEPARTMENTS].insert_one(department)
    except DuplicateKeyError:
        # ask the store, not the error text: mongomock's message does not name the index
        key = department.get("idempotency_key")
        if key and find_by_idempotency_key(db, key) is not None:
            raise DuplicateIdempotencyKey() from None
        raise DuplicateName(department["name"]) from None
    return department


def find_by_idempotency_key(db, key: str) -> dict | None:
    """The department an earlier request with this (caller-scoped) key created, or None."""
    return db[DEPARTMENTS].find_one({"idempotency_key": key})


def get(db, department_id: str) -> dict | None:
    """The department of that id (``_id``, ``name``, ``remit``, ``banner``, ``active``), or None."""
    return db[DEPARTMENTS].find_one({"_id": department_id})


def list_departments(db, filter_: dict, page_args: dict) -> dict:
    return paginate(db[DEPARTMENTS], filter_, page_args, [("name", ASCENDING), ("_id", ASCENDING)])
