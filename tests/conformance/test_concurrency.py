"""Single-document atomicity under threads: a version guard lets exactly one writer win.

On mongomock this is what shared.store's per-client serialisation provides (mongomock's own locks
do not cover a whole find-and-modify); on MongoDB it is the server's document-level atomicity.
"""
from __future__ import annotations

import sys
import threading

import pytest
from pymongo import ReturnDocument

from services.intake import store as intake_store
from services.reporting import store as reporting_store
from shared import divisions
from shared.idempotency import Outcome

from .builders import VILLAGE, submitted, unique

ROUNDS = 30


@pytest.fixture(autouse=True)
def eager_thread_switching():
    """Switch threads every microsecond, so a find-and-modify that is not atomic shows up as a race."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(before)


def _race(workers):
    """Run the callables at the same moment on their own threads; their results, in order."""
    barrier = threading.Barrier(len(workers))
    results = [None] * len(workers)
    errors = []

    def run(i, work):
        try:
            barrier.wait(timeout=10)
            results[i] = work()
        except Exception as exc:  # surfaced below, never swallowed
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i, w)) for i, w in enumerate(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not errors, errors
    return results


def test_two_version_guarded_find_one_and_updates_exactly_one_wins(db):
    cases = db["race_cases"]
    for _ in range(ROUNDS):
        doc_id = unique("case")
        cases.insert_one({"_id": doc_id, "status": "open", "version": 1})

        def take(owner, doc_id=doc_id):
            return cases.find_one_and_update({"_id": doc_id, "version": 1},
                                             {"$set": {"status": "taken", "owner": owner}, "$inc": {"version": 1}},
                                             return_document=ReturnDocument.AFTER)

        results = _race([lambda: take("a"), lambda: take("b")])
        winners = [r for r in results if r is not None]
        assert len(winners) == 1
        stored = cases.find_one({"_id": doc_id})
        assert stored["version"] == 2
        assert stored["owner"] == winners[0]["owner"]


def test_two_version_guarded_update_ones_exactly_one_modifies(db):
    cases = db["race_cases"]
    for _ in range(ROUNDS):
        doc_id = unique("case")
        cases.insert_one({"_id": doc_id, "version": 1, "history": []})

        def write(owner, doc_id=doc_id):
            return cases.update_one({"_id": doc_id, "version": 1},
                                    {"$push": {"history": owner}, "$inc": {"version": 1}}).modified_count

        assert sorted(_race([lambda: write("a"), lambda: write("b")])) == [0, 1]
        stored = cases.find_one({"_id": doc_id})
        assert stored["version"] == 2
        assert len(stored["history"]) == 1


def test_concurrent_serials_are_all_distinct(db):
    results = _race([lambda: [intake_store.next_serial(db, "152531", "20250301") for _ in range(20)]
                     for _ in range(4)])
    serials = sorted(s for batch in results for s in batch)
    assert serials == list(range(1, 81))


def test_the_same_event_counted_by_two_consumers_at_once_is_counted_once(db):
    ancestors = divisions.ancestors(VILLAGE)
    for round_ in range(ROUNDS):
        day = f"2025-01-{round_ + 1:02d}"
        event = submitted(unique("pet"))
        outcomes = _race([lambda: reporting_store.count(db, event, "submitted", day, ancestors)] * 2)
        assert sorted(o.value for o in outcomes) == [Outcome.APPLIED.value, Outcome.DUPLICATE.value]
        doc = db[reporting_store.DAILY].find_one({"_id": f"{VILLAGE}:{day}"})
        assert doc["counts"]["submitted"] == 1
