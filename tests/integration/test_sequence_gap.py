"""Ordered streams: an event whose predecessor was not applied is refused as a gap, then applied once
the predecessor is in; never applied out of order."""
from __future__ import annotations

import threading

import mongomock
import pytest

from shared.idempotency import Outcome, SequenceGap, apply_once
from tests.integration.helpers import assigned_event, publisher, queue_depth, start_consumer
from tests.support.services import make_settings
from tests.support.waiting import wait_for

pytestmark = [pytest.mark.slow, pytest.mark.broker]


def _collection():
    return mongomock.MongoClient(tz_aware=True)["gap"]["petitions"]


def _apply(collection, event):
    return apply_once(collection, {"_id": event.correlation_id}, {"$push": {"seen": event.sequence}}, event,
                      stream="assignment")


def test_event_before_its_predecessor_is_a_gap_until_the_predecessor_is_applied():
    collection = _collection()
    collection.insert_one({"_id": "pet-gap", "seen": []})
    first, second = assigned_event("pet-gap", sequence=1), assigned_event("pet-gap", sequence=2)

    with pytest.raises(SequenceGap, match="have 0, got 2"):
        _apply(collection, second)
    assert collection.find_one({"_id": "pet-gap"})["seen"] == []

    assert _apply(collection, first) is Outcome.APPLIED
    assert _apply(collection, second) is Outcome.APPLIED
    assert _apply(collection, second) is Outcome.DUPLICATE
    assert _apply(collection, first) is Outcome.DUPLICATE
    doc = collection.find_one({"_id": "pet-gap"})
    assert doc["seen"] == [1, 2]
    assert doc["streams"]["assignment"] == 2


def test_consumer_retries_a_gap_until_another_worker_applied_the_predecessor(amqp_url, closing):
    """Two workers share the service queue; the one holding sequence 2 retries it (prefetch 1, so the
    broker gives sequence 1 to the other worker) and applies it once sequence 1 is in."""
    settings = make_settings(AMQP_URL=amqp_url, DAIBAN_PREFETCH="1", DAIBAN_RETRY_DELAYS="0.01,0.01,0.01")
    collection = _collection()
    collection.insert_one({"_id": "pet-gap", "seen": []})
    first_applied = threading.Event()
    attempts = {"holder": [], "other": []}
    gaps = []

    def worker(name):
        def handle(event, data):
            attempts[name].append(event.sequence)
            try:
                _apply(collection, event)
            except SequenceGap as exc:
                gaps.append(exc)
                raise
            if event.sequence == 1:
                first_applied.set()
        return handle

    def back_off(seconds):
        first_applied.wait(10)  # the holder's retry back-off lasts until sequence 1 is in (10 s at most)

    start_consumer("intake", settings, {"petition.assigned": worker("holder")}, closing, sleep=back_off)
    first, second = assigned_event("pet-gap", sequence=1), assigned_event("pet-gap", sequence=2)
    pub = publisher(settings, closing)

    pub.publish_event(second.to_message())
    wait_for(lambda: gaps, what="sequence 2 refused as a gap")
    start_consumer("intake", settings, {"petition.assigned": worker("other")}, closing)
    pub.publish_event(first.to_message())

    wait_for(lambda: collection.find_one({"_id": "pet-gap"})["seen"] == [1, 2], what="both applied, in order")
    assert attempts == {"holder": [2, 2], "other": [1]}
    assert len(gaps) == 1 and "have 0, got 2" in str(gaps[0])
    assert collection.find_one({"_id": "pet-gap"})["streams"] == {"assignment": 2}
    assert queue_depth(settings, f"{settings.queue_prefix}.intake.dead") == 0
