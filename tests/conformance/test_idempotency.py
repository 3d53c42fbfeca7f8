"""apply_once: the event-id guard, the sequence guard and the upsert, as the consumers use them."""
from __future__ import annotations

from dataclasses import replace

import pytest

from services.intake import domain as intake_domain
from services.intake import store as intake_store
from services.reporting import store as reporting_store
from shared import divisions, idempotency
from shared.idempotency import Outcome, SequenceGap, apply_once

from .builders import T0, VILLAGE, assigned, insert_petition, submitted, unique

AGENT = {"id": "agt-1", "name": "示例代办员", "division": VILLAGE}
STREAM = "assignment"


def _apply_assigned(db, event):
    entry = intake_domain.assigned_entry(T0, AGENT, "village")
    fields = {"status": "assigned", "assigned_agent": AGENT, "level": "village"}
    return intake_store.apply_progress(db, event, fields, entry, T0)


def test_an_assigned_event_is_applied_once_and_its_redelivery_is_a_duplicate(db):
    doc = insert_petition(db)
    event = assigned(doc["_id"])
    assert _apply_assigned(db, event) is Outcome.APPLIED
    assert _apply_assigned(db, event) is Outcome.DUPLICATE
    stored = intake_store.get(db, doc["_id"])
    assert stored["status"] == "assigned"
    assert stored["assigned_agent"] == AGENT
    assert [e["kind"] for e in stored["timeline"]] == ["assigned"]
    assert stored["applied"] == [event.id]


def test_an_event_about_a_petition_not_stored_yet_is_missing(db):
    assert _apply_assigned(db, assigned(unique("pet"))) is Outcome.MISSING


def _stream_doc(db):
    doc_id = unique("agg")
    db["stream_docs"].insert_one({"_id": doc_id, "seen": []})
    return doc_id


def _apply_in_stream(db, doc_id, event):
    return apply_once(db["stream_docs"], {"_id": doc_id}, {"$push": {"seen": event.sequence}}, event,
                      stream=STREAM)


def test_events_of_a_stream_apply_in_sequence_and_a_gap_is_refused_until_filled(db):
    doc_id = _stream_doc(db)
    first, second, third = (assigned(doc_id, sequence=n) for n in (1, 2, 3))
    assert _apply_in_stream(db, doc_id, first) is Outcome.APPLIED
    with pytest.raises(SequenceGap):
        _apply_in_stream(db, doc_id, third)
    assert _apply_in_stream(db, doc_id, second) is Outcome.APPLIED
    assert _apply_in_stream(db, doc_id, third) is Outcome.APPLIED
    stored = db["stream_docs"].find_one({"_id": doc_id})
    assert stored["seen"] == [1, 2, 3]
    assert stored["streams"] == {STREAM: 3}


def test_a_stream_cannot_start_with_a_later_event(db):
    doc_id = _stream_doc(db)
    with pytest.raises(SequenceGap):
        _apply_in_stream(db, doc_id, assigned(doc_id, sequence=2))
    assert "streams" not in db["stream_docs"].find_one({"_id": doc_id})


def test_an_older_event_of_a_stream_with_a_new_id_is_a_duplicate(db):
    doc_id = _stream_doc(db)
    first = assigned(doc_id, sequence=1)
    assert _apply_in_stream(db, doc_id, first) is Outcome.APPLIED
    republished = replace(first, id=unique("evt"))
    assert _apply_in_stream(db, doc_id, republished) is Outcome.DUPLICATE
    assert _apply_in_stream(db, doc_id, first) is Outcome.DUPLICATE
    assert db["stream_docs"].find_one({"_id": doc_id})["seen"] == [1]


def test_the_applied_list_keeps_only_the_latest_event_ids(db, monkeypatch):
    monkeypatch.setattr(idempotency, "KEEP_APPLIED", 3)
    doc_id = _stream_doc(db)
    events = [assigned(doc_id) for _ in range(5)]
    for event in events:
        assert apply_once(db["stream_docs"], {"_id": doc_id}, {"$inc": {"n": 1}}, event) is Outcome.APPLIED
    stored = db["stream_docs"].find_one({"_id": doc_id})
    assert stored["applied"] == [e.id for e in events[-3:]]
    assert stored["n"] == 5


def _ancestors(division=VILLAGE):
    return divisions.ancestors(division)


def test_a_counter_document_is_created_by_the_first_event_and_counts_a_redelivery_once(db):
    event = submitted(unique("pet"))
    assert reporting_store.count(db, event, "submitted", "2025-03-01", _ancestors()) is Outcome.APPLIED
    assert reporting_store.count(db, event, "submitted", "2025-03-01", _ancestors()) is Outcome.DUPLICATE
    second = submitted(unique("pet"))
    assert reporting_store.count(db, second, "submitted", "2025-03-01", _ancestors()) is Outcome.APPLIED
    doc = db[reporting_store.DAILY].find_one({"_id": f"{VILLAGE}:2025-03-01"})
    assert doc["counts"] == {"submitted": 2}
    assert doc["division"] == VILLAGE
    assert doc["day"] == "2025-03-01"
    assert doc["ancestors"] == [VILLAGE, VILLAGE[:9], VILLAGE[:6], "152500"]
    assert sorted(doc["applied"]) == sorted([event.id, second.id])


def test_set_on_insert_fields_are_written_only_when_the_counter_document_is_created(db):
    first, second = submitted(unique("pet")), assigned(unique("pet"))
    reporting_store.count(db, first, "submitted", "2025-03-02", _ancestors())
    reporting_store.count(db, second, "assigned", "2025-03-02", ["changed"])
    doc = db[reporting_store.DAILY].find_one({"_id": f"{VILLAGE}:2025-03-02"})
    assert doc["ancestors"] == _ancestors()
    assert doc["counts"] == {"submitted": 1, "assigned": 1}
