"""The one connection factory, and the serialised mongomock wrapper it gives without MONGO_URL."""
from __future__ import annotations

from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

import pytest

from services.intake import store as intake_store
from shared import config, store


def memory_db():
    return store.connect(config.load({"DAIBAN_DB_PREFIX": "unit"}), "intake")


def test_without_mongo_url_each_service_gets_its_own_in_memory_database():
    db = memory_db()
    assert store.is_in_memory(db)
    assert db.name == "unit_intake"
    store.ping(db)
    other = store.connect(config.load({"DAIBAN_DB_PREFIX": "unit"}), "intake")
    db["things"].insert_one({"_id": 1})
    assert other["things"].count_documents({}) == 0, "in-memory stores are never shared"


def test_with_mongo_url_the_service_gets_a_lazy_tz_aware_pymongo_database():
    db = store.connect(config.load({"MONGO_URL": "mongodb://127.0.0.1:1", "DAIBAN_DB_PREFIX": "unit"}), "notify")
    try:
        assert isinstance(db, Database)
        assert not store.is_in_memory(db)
        assert db.name == "unit_notify"
        assert db.codec_options.tz_aware is True
    finally:
        db.client.close()


def test_a_cursor_chains_sort_skip_and_limit_and_materialises_when_iterated():
    collection = memory_db()["things"]
    for n in range(10):
        collection.insert_one({"_id": n, "n": n})
    cursor = collection.find({"n": {"$gte": 2}})
    assert cursor.sort([("n", DESCENDING)]).skip(1).limit(3) is cursor
    assert [d["n"] for d in cursor] == [8, 7, 6]


def test_an_aggregation_answers_a_plain_iterator():
    collection = memory_db()["things"]
    collection.insert_one({"_id": 1, "k": "a"})
    collection.insert_one({"_id": 2, "k": "a"})
    rows = collection.aggregate([{"$group": {"_id": "$k", "n": {"$sum": 1}}}])
    assert list(rows) == [{"_id": "a", "n": 2}]


def test_in_memory_indexes_keep_their_partial_filter():
    db = memory_db()
    store.ensure_indexes(db, intake_store.INDEXES)
    info = db[intake_store.PETITIONS].index_information()["petitioner_ref_1_idempotency_key_1"]
    assert info["unique"] is True
    assert info["partialFilterExpression"] == {"idempotency_key": {"$type": "string"}}


def test_a_partial_unique_index_ignores_documents_outside_its_filter():
    db = memory_db()
    store.ensure_indexes(db, {"docs": [IndexModel([("owner", ASCENDING), ("key", ASCENDING)], unique=True,
                                                  partialFilterExpression={"key": {"$type": "string"}})]})
    db["docs"].insert_one({"owner": "a", "key": None})
    db["docs"].insert_one({"owner": "a", "key": None})
    db["docs"].insert_one({"owner": "a", "key": "k"})
    with pytest.raises(DuplicateKeyError):
        db["docs"].insert_one({"owner": "a", "key": "k"})


def test_ensuring_indexes_skips_collections_without_any():
    db = memory_db()
    store.ensure_indexes(db, {"empty": []})
    assert "empty" not in db.list_collection_names()
