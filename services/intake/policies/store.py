"""The policy library's collection (``policies``) and its version counter (``policy_library``).

The seed (``library.json`` beside this module) is loaded at start: every entry is upserted by its id,
and only entries that are missing or whose seed text changed are written, so loading again is a no-op
and a newer seed shipped with a release replaces the entries it changed. An entry written by
``upsert`` (an edit outside the seed) carries no seed hash and later seed loads leave it alone. Every
write bumps the library version; each process rebuilds its search index when it sees a version it has
not indexed.
"""
from __future__ import annotations

import hashlib
import json
import re
from datetime import date
from pathlib import Path
from typing import Iterable

from pymongo import ASCENDING, IndexModel
from pymongo.errors import DuplicateKeyError

from shared.http.pagination import paginate

POLICIES = "policies"
LIBRARY = "policy_library"  # one document: {"_id": "library", "version": n}
SEED_PATH = Path(__file__).with_name("library.json")

INDEXES = {POLICIES: [IndexModel([("tags", ASCENDING), ("_id", ASCENDING)])]}

FIELDS = ("id", "title", "title_en", "source", "issuing_body", "date", "article", "summary", "tags", "keywords")
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SUMMARY_LENGTH = (60, 250)


def seed_entries(path: Path = SEED_PATH) -> list[dict]:
    """The entries of the seed file, checked."""
    entries = json.loads(path.read_text(encoding="utf-8"))
    for entry in entries:
        check_entry(entry)
    ids = [entry["id"] for entry in entries]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValueError(f"duplicate policy ids: {duplicates}")
    return entries


def check_entry(entry: dict) -> None:
    """Raise ValueError when ``entry`` is not a well-formed library entry."""
    missing = [name for name in FIELDS if name not in entry]
    if missing:
        raise ValueError(f"policy {entry.get('id')!r} lacks {missing}")
    if not ID_PATTERN.match(entry["id"]):
        raise ValueError(f"policy id {entry['id']!r} is not a lower-case slug")
    date.fromisoformat(entry["date"])
    low, high = SUMMARY_LENGTH
    if not low <= len(entry["summary"]) <= high:
        raise ValueError(f"policy {entry['id']!r}: summary of {len(entry['summary'])} characters, "
                         f"not {low} to {high}")
    for name in ("title", "title_en", "source", "issuing_body", "article"):
        if not isinstance(entry[name], str) or not entry[name].strip():
            raise ValueError(f"policy {entry['id']!r}: empty {name}")
    for name in ("tags", "keywords"):
        if not entry[name] or not all(isinstance(word, str) and word.strip() for word in entry[name]):
            raise ValueError(f"policy {entry['id']!r}: {name} must be a non-empty list of words")


def load_seed(db, entries: Iterable[dict] | None = None) -> int:
    """Upsert the seed's entries by id; answers how many were written (0 when all are current)."""
    entries = seed_entries() if entries is None else list(entries)
    stored = {doc["_id"]: doc.get("seed_hash") for doc in db[POLICIES].find({}, {"seed_hash": 1})}
    written = 0
    for entry in entries:
        check_entry(entry)
        digest = _digest(entry)
        if entry["id"] in stored and stored[entry["id"]] in (digest, None):
            continue  # current, or edited outside the seed
        _replace(db, {**_document(entry), "seed_hash": digest})
        written += 1
    if written:
        _bump(db)
    return written


def upsert(db, entry: dict) -> None:
    """Write one entry outside the seed (an edit); later seed loads leave it as it is."""
    check_entry(entry)
    _replace(db, _document(entry))
    _bump(db)


def library_version(db) -> int:
    doc = db[LIBRARY].find_one({"_id": "library"})
    return int(doc["version"]) if doc else 0


def get(db, policy_id: str) -> dict | None:
    return db[POLICIES].find_one({"_id": policy_id})


def all_entries(db) -> list[dict]:
    return list(db[POLICIES].find({}).sort([("_id", ASCENDING)]))


def list_page(db, tag: str | None, page_args: dict) -> dict:
    """A page of the library in id order, optionally only entries carrying ``tag``."""
    return paginate(db[POLICIES], {"tags": tag} if tag else {}, page_args, [("_id", ASCENDING)])


def _document(entry: dict) -> dict:
    doc = {name: entry[name] for name in FIELDS if name != "id"}
    return {"_id": entry["id"], **doc}


def _digest(entry: dict) -> str:
    canonical = json.dumps({name: entry[name] for name in FIELDS}, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _replace(db, doc: dict) -> None:
    try:
        db[POLICIES].replace_one({"_id": doc["_id"]}, doc, upsert=True)
    except DuplicateKeyError:  # another process inserted it between our match and our insert
        db[POLICIES].replace_one({"_id": doc["_id"]}, doc)


def _bump(db) -> None:
    db[LIBRARY].update_one({"_id": "library"}, {"$inc": {"version": 1}}, upsert=True)
