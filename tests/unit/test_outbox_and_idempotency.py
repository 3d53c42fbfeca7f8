"""How a state change carries its events, and how a consumer's update is guarded."""
from __future__ import annotations

from shared import idempotency, outbox
from shared.events import new_event

VILLAGE = "152531100901"


def requested(sequence: int = 1):
    return new_event("mediation.requested", {"petition_id": "pet-1", "requested_by": "agt-1", "kind": "people"},
                     division=VILLAGE, correlation_id="pet-1", sequence=sequence)


def test_a_new_document_carries_its_events_as_messages_at_version_one():
    event = requested()
    document = {"_id": "pet-1", "status": "submitted"}
    created = outbox.new_document(document, [event])
    assert created == {"_id": "pet-1", "status": "submitted", "outbox": [event.to_message()], "version": 1}
    assert "outbox" not in document


def test_an_update_with_events_pushes_them_and_bumps_the_version_without_touching_the_original():
    first, second = requested(1), requested(2)
    update = {"$set": {"status": "assigned"}, "$push": {"timeline": {"kind": "assigned"}}, "$inc": {"n": 1}}
    merged = outbox.with_events(update, [first, second])
    assert merged == {"$set": {"status": "assigned"},
                      "$push": {"timeline": {"kind": "assigned"},
                                "outbox": {"$each": [first.to_message(), second.to_message()]}},
                      "$inc": {"n": 1, "version": 1}}
    assert update == {"$set": {"status": "assigned"}, "$push": {"timeline": {"kind": "assigned"}}, "$inc": {"n": 1}}


def test_an_update_without_events_still_bumps_the_version():
    assert outbox.with_events({"$set": {"x": 1}}, []) == {"$set": {"x": 1}, "$inc": {"version": 1}}


def test_the_guard_refuses_an_event_already_applied_and_records_it_in_a_bounded_list():
    event = requested()
    guard, merged = idempotency.guarded({"_id": "d"}, {"$inc": {"n": 1}}, event)
    assert guard == {"_id": "d", "applied": {"$ne": event.id}}
    assert merged == {"$inc": {"n": 1},
                      "$push": {"applied": {"$each": [event.id], "$slice": -idempotency.KEEP_APPLIED}}}


def test_the_first_event_of_a_stream_needs_a_stream_not_started_yet():
    guard, merged = idempotency.guarded({"_id": "d"}, {"$set": {"x": 1}}, requested(1), stream="petition")
    assert guard["streams.petition"] == {"$exists": False}
    assert merged["$set"] == {"x": 1, "streams.petition": 1}


def test_a_later_event_of_a_stream_needs_its_predecessor_applied():
    guard, merged = idempotency.guarded({"_id": "d"}, {}, requested(5), stream="petition")
    assert guard["streams.petition"] == 4
    assert merged["$set"] == {"streams.petition": 5}


def test_guarding_leaves_the_callers_filter_and_update_untouched():
    filter_, update = {"_id": "d"}, {"$set": {"x": 1}, "$push": {"log": "a"}}
    idempotency.guarded(filter_, update, requested(2), stream="petition")
    assert filter_ == {"_id": "d"}
    assert update == {"$set": {"x": 1}, "$push": {"log": "a"}}


def test_a_later_event_of_a_stream_does_not_create_the_document_it_waits_for():
    import mongomock
    import pytest as _pytest
    from shared.events import Event
    from shared.idempotency import SequenceGap, apply_once
    collection = mongomock.MongoClient()["t"]["counters"]
    second = Event(type="petition.assigned", data={}, producer="assignment", division="152531100901",
                   correlation_id="pet-1", sequence=2)
    with _pytest.raises(SequenceGap):
        apply_once(collection, {"_id": "pet-1"}, {"$inc": {"n": 1}}, second, stream="assignment", upsert=True)
    assert collection.count_documents({}) == 0
