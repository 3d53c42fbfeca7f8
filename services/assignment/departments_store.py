"""Responsible departments (责任部门) per banner: where an agent forwards a matter."""
from __future__ import annotations

import uuid

from pymongo import ASCENDING, IndexModel
from pymongo.errors import DuplicateKeyError

from shared.http.pagination import paginate

DEPARTMENTS = "departments"

INDEXES = {
    DEPARTMENTS: [IndexModel([("banner", ASCENDING), ("name", ASCENDING)], unique=True)],
}


class DuplicateName(Exception):
    """The banner already has a department of that name."""


def new_department_id() -> str:
    return f"dep-{uuid.uuid4().hex}"


def insert(db, department: dict) -> dict:
    try:
        db[DEPARTMENTS].insert_one(department)
    except DuplicateKeyError:
        raise DuplicateName(department["name"]) from None
    return department


def get(db, department_id: str) -> dict | None:
    """The department of that id (``_id``, ``name``, ``remit``, ``banner``, ``active``), or None."""
    return db[DEPARTMENTS].find_one({"_id": department_id})


def list_departments(db, filter_: dict, page_args: dict) -> dict:
    return paginate(db[DEPARTMENTS], filter_, page_args, [("name", ASCENDING), ("_id", ASCENDING)])
