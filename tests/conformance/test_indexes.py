"""Unique and partial indexes, created from the services' own INDEXES, behave like MongoDB's."""
from __future__ import annotations

import pytest
from pymongo.errors import DuplicateKeyError

from services.assignment import store as assignment_store
from services.intake import store as intake_store
from services.mediation import store as mediation_store
from services.notify import store as notify_store
from shared import store

from .builders import SERVICE_INDEXES, assignment, insert_petition, petition, submitted, unique


def test_creating_the_services_indexes_twice_is_harmless(db):
    for indexes in SERVICE_INDEXES.values():
        store.ensure_indexes(db, indexes)
    names = db[intake_store.PETITIONS].index_information()
    assert "number_1" in names
    assert "petitioner_ref_1_idempotency_key_1" in names


def test_the_idempotency_index_is_unique_and_partial_on_string_keys(db):
    info = db[intake_store.PETITIONS].index_information()["petitioner_ref_1_idempotency_key_1"]
    assert info.get("unique") is True
    assert info.get("partialFilterExpression") == {"idempotency_key": {"$type": "string"}}


def test_a_second_petition_with_the_same_number_is_refused(db):
    first = insert_petition(db)
    with pytest.raises(DuplicateKeyError):
        insert_petition(db, number=first["number"])
    assert db[intake_store.PETITIONS].count_documents({"number": first["number"]}) == 1


def test_a_petitioner_may_submit_many_petitions_without_an_idempotency_key(db):
    for _ in range(3):
        insert_petition(db, petitioner_ref="ref_many", idempotency_key=None)
    assert db[intake_store.PETITIONS].count_documents({"petitioner_ref": "ref_many"}) == 3


def test_the_same_idempotency_key_twice_for_one_petitioner_is_reported_as_a_duplicate_key(db):
    first = insert_petition(db, petitioner_ref="ref_key", idempotency_key="k-1")
    with pytest.raises(intake_store.DuplicateIdempotencyKey):
        insert_petition(db, petitioner_ref="ref_key", idempotency_key="k-1")
    found = intake_store.find_by_idempotency_key(db, "ref_key", "k-1")
    assert found["_id"] == first["_id"]
    assert db[intake_store.PETITIONS].count_documents({"petitioner_ref": "ref_key"}) == 1


def test_the_same_idempotency_key_from_two_petitioners_is_two_petitions(db):
    insert_petition(db, petitioner_ref="ref_a", idempotency_key="shared-key")
    insert_petition(db, petitioner_ref="ref_b", idempotency_key="shared-key")
    assert db[intake_store.PETITIONS].count_documents({"idempotency_key": "shared-key"}) == 2


def test_a_duplicate_number_is_not_mistaken_for_a_reused_idempotency_key(db):
    first = insert_petition(db, petitioner_ref="ref_n", idempotency_key="k-a")
    with pytest.raises(DuplicateKeyError) as raised:
        insert_petition(db, number=first["number"], petitioner_ref="ref_n", idempotency_key="k-b")
    assert not isinstance(raised.value, intake_store.DuplicateIdempotencyKey)


def test_a_duplicate_assignment_id_raises_and_the_store_reports_it_as_already_handled(db):
    doc = assignment(unique("pet"), "agt-1")
    assert assignment_store.insert_assignment(db, dict(doc), []) is True
    assert assignment_store.insert_assignment(db, dict(doc), [submitted(doc["_id"])]) is False
    with pytest.raises(DuplicateKeyError):
        db[assignment_store.ASSIGNMENTS].insert_one(dict(doc))
    stored = db[assignment_store.ASSIGNMENTS].find_one({"_id": doc["_id"]})
    assert stored["outbox"] == []


def test_a_notification_id_is_stored_once(db):
    notification = {"_id": f"{unique('evt')}:petitioner", "recipient_ref": "ref_x", "audience": "petitioner",
                    "template": "agent_assigned_to_you", "params": {}, "read": False}
    assert notify_store.insert_once(db, dict(notification)) is True
    assert notify_store.insert_once(db, dict(notification)) is False
    with pytest.raises(DuplicateKeyError):
        db[notify_store.NOTIFICATIONS].insert_one(dict(notification))
    assert db[notify_store.NOTIFICATIONS].count_documents({"recipient_ref": "ref_x"}) == 1


def test_a_mediation_case_is_opened_once_per_request_event(db):
    case = {"_id": f"med-{unique('evt')}", "petition_id": "pet-1", "division": "152531100901",
            "kind": "people", "status": "requested", "version": 1}
    assert mediation_store.open_case(db, dict(case)) is True
    assert mediation_store.open_case(db, dict(case)) is False


def test_petitions_without_a_key_store_a_null_key_which_the_key_lookup_never_finds(db):
    doc = petition(petitioner_ref="ref_null")
    intake_store.insert_petition(db, doc, [])
    assert db[intake_store.PETITIONS].find_one({"_id": doc["_id"]})["idempotency_key"] is None
    assert intake_store.find_by_idempotency_key(db, "ref_null", "anything") is None
