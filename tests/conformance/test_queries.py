"""The reads the services make: serials, candidates and loads, summaries, pages, prefixes, dates."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from pymongo import ReturnDocument

from services.assignment import agents_store
from services.assignment import store as assignment_store
from services.intake import store as intake_store
from services.mediation import store as mediation_store
from services.notify import store as notify_store
from services.reporting import store as reporting_store
from shared import divisions, store

from .builders import (FAR_VILLAGE, OTHER_VILLAGE, T0, VILLAGE, agent, assignment, insert_petition, submitted,
                       unique)

PAGE = {"page": 1, "per_page": 10}


def test_the_store_answers_a_ping(db):
    store.ping(db)


def test_serials_count_up_from_one_per_banner_and_day(db):
    assert [intake_store.next_serial(db, "152531", "20250301") for _ in range(3)] == [1, 2, 3]
    assert intake_store.next_serial(db, "152531", "20250302") == 1
    assert intake_store.next_serial(db, "152502", "20250301") == 1
    assert db[intake_store.SERIALS].find_one({"_id": "152531-20250301"})["value"] == 3


def test_find_one_and_update_returns_the_document_after_the_update(db):
    before = db["counters"].find_one_and_update({"_id": "c"}, {"$inc": {"value": 5}}, upsert=True,
                                                return_document=ReturnDocument.BEFORE)
    after = db["counters"].find_one_and_update({"_id": "c"}, {"$inc": {"value": 1}}, upsert=True,
                                               return_document=ReturnDocument.AFTER)
    assert before is None
    assert after == {"_id": "c", "value": 6}


def test_loading_the_same_agents_twice_adds_nothing_and_keeps_the_first_values(db):
    agents = [agent("agt-a", VILLAGE), agent("agt-b", VILLAGE[:9], level="township")]
    assert agents_store.load_agents(db, agents) == 2
    assert agents_store.load_agents(db, [agent("agt-a", VILLAGE, capacity=99)]) == 0
    assert agents_store.count_agents(db) == 2
    assert db[agents_store.AGENTS].find_one({"_id": "agt-a"})["capacity"] == 8


def candidates(db, village, preferred):
    return agents_store.candidates(db, village, preferred, open_cases=lambda ids: assignment_store.open_cases(db, ids))


def test_candidates_are_the_village_and_township_agents_plus_the_chosen_one_with_their_open_cases(db):
    agents_store.load_agents(db, [
        agent("agt-v1", VILLAGE), agent("agt-v2", VILLAGE), agent("agt-t", VILLAGE[:9], level="township"),
        agent("agt-other", OTHER_VILLAGE), agent("agt-far", FAR_VILLAGE)])
    for status, agent_id in (("assigned", "agt-v1"), ("assigned", "agt-v1"), ("closed", "agt-v1"),
                             ("assigned", "agt-t"), ("assigned", "agt-other"),
                             ("accepted", "agt-t"), ("queued", None)):
        assignment_store.insert_assignment(db, assignment(unique("pet"), agent_id, status=status), [])
    found = {c.id: c for c in candidates(db, VILLAGE, "agt-far")}
    assert set(found) == {"agt-v1", "agt-v2", "agt-t", "agt-far"}
    assert {i: c.open_cases for i, c in found.items()} == {"agt-v1": 2, "agt-v2": 0, "agt-t": 2, "agt-far": 0}
    assert found["agt-t"].level == "township"
    assert found["agt-v1"].capacity == 8 and found["agt-v1"].active is True
    assert {c.id for c in candidates(db, VILLAGE, None)} == {"agt-v1", "agt-v2", "agt-t"}


def test_an_assignment_is_read_without_its_outbox(db):
    doc = assignment(unique("pet"), "agt-1")
    assignment_store.insert_assignment(db, doc, [submitted(doc["_id"])])
    stored = assignment_store.get(db, doc["_id"])
    assert "outbox" not in stored
    assert stored["holder"]["id"] == "agt-1"
    assert assignment_store.get(db, "pet-none") is None


def _count(db, division, day, counter="submitted", times=1):
    ancestors = divisions.ancestors(division)
    for _ in range(times):
        reporting_store.count(db, submitted(unique("pet"), division), counter, day, ancestors)


def test_a_summary_rolls_villages_up_to_their_township_banner_and_league(db):
    _count(db, VILLAGE, "2025-03-01", times=2)
    _count(db, VILLAGE, "2025-03-01", counter="assigned")
    _count(db, OTHER_VILLAGE, "2025-03-01")
    _count(db, FAR_VILLAGE, "2025-03-02", times=3)
    def summary(division):
        return {k: v for k, v in reporting_store.summary(db, division, None, None).items() if v}
    assert summary(VILLAGE) == {"submitted": 2, "assigned": 1}
    assert summary(VILLAGE[:9])["submitted"] == 2
    assert summary("152531")["submitted"] == 3
    assert summary("152500") == {"submitted": 6, "assigned": 1}
    assert summary("152522") == {}


def test_a_summary_counts_only_the_days_in_its_range_inclusive(db):
    for day in ("2025-02-28", "2025-03-01", "2025-03-15", "2025-03-31", "2025-04-01"):
        _count(db, VILLAGE, day)
    assert reporting_store.summary(db, "152500", "2025-03-01", "2025-03-31")["submitted"] == 3
    assert reporting_store.summary(db, "152500", "2025-03-15", None)["submitted"] == 3
    assert reporting_store.summary(db, "152500", None, "2025-03-01")["submitted"] == 2
    assert reporting_store.summary(db, VILLAGE, "2025-05-01", None)["submitted"] == 0


def test_a_petitioners_petitions_come_newest_first_page_by_page_with_the_total(db):
    docs = [insert_petition(db, petitioner_ref="ref_pages", received_at=T0 + timedelta(minutes=i))
            for i in range(25)]
    insert_petition(db, petitioner_ref="ref_someone_else")
    newest_first = [d["_id"] for d in reversed(docs)]
    pages = [intake_store.list_for_petitioner(db, "ref_pages", {"page": n, "per_page": 10}) for n in (1, 2, 3, 4)]
    assert [p["total"] for p in pages] == [25, 25, 25, 25]
    assert [len(p["items"]) for p in pages] == [10, 10, 5, 0]
    assert [i["_id"] for p in pages for i in p["items"]] == newest_first
    assert pages[1]["page"] == 2 and pages[1]["per_page"] == 10


def test_notifications_of_one_recipient_come_newest_first(db):
    for i in range(3):
        notify_store.insert_once(db, {"_id": unique("n"), "recipient_ref": "ref_r", "created_at": T0 + timedelta(hours=i),
                                      "seq": i})
    notify_store.insert_once(db, {"_id": unique("n"), "recipient_ref": "ref_other", "created_at": T0})
    page = notify_store.list_for(db, "ref_r", PAGE)
    assert [n["seq"] for n in page["items"]] == [2, 1, 0]
    assert page["total"] == 3


def test_assignments_are_filtered_by_division_prefix_and_status(db):
    for division, status in ((VILLAGE, "assigned"), (VILLAGE, "awaiting_coordinator"), (OTHER_VILLAGE, "assigned"),
                             (FAR_VILLAGE, "assigned")):
        assignment_store.insert_assignment(db, assignment(unique("pet"), "agt-1", division=division, status=status), [])
    in_banner = assignment_store.list_assignments(db, {"division": {"$regex": "^152531"}}, PAGE)
    assert in_banner["total"] == 3
    township = {"division": {"$regex": f"^{VILLAGE[:9]}"}, "status": "assigned"}
    assert assignment_store.list_assignments(db, township, PAGE)["total"] == 1
    assert assignment_store.list_assignments(db, {"division": {"$regex": "^1525"}}, PAGE)["total"] == 4
    assert assignment_store.list_assignments(db, {"holder.id": "agt-1"}, PAGE)["total"] == 4


def test_mediation_cases_are_listed_by_division_prefix_newest_first(db):
    for i, division in enumerate((VILLAGE, OTHER_VILLAGE, FAR_VILLAGE)):
        mediation_store.open_case(db, {"_id": f"med-{i}", "petition_id": unique("pet"), "division": division,
                                       "kind": "people", "status": "requested",
                                       "requested_at": T0 + timedelta(days=i), "version": 1})
    banner = mediation_store.list_cases(db, "152531", PAGE)
    assert [c["_id"] for c in banner["items"]] == ["med-1", "med-0"]
    assert mediation_store.list_cases(db, "15", PAGE)["total"] == 3
    assert mediation_store.list_cases(db, VILLAGE, PAGE)["total"] == 1


def test_aware_datetimes_come_back_as_aware_utc_at_millisecond_precision(db):
    local = timezone(timedelta(hours=8))
    written = datetime(2025, 3, 1, 7, 59, 59, 123456, tzinfo=local)
    db["times"].insert_one({"_id": "t", "at": written, "nested": {"at": written}})
    back = db["times"].find_one({"_id": "t"})
    for value in (back["at"], back["nested"]["at"]):
        assert value.tzinfo is not None
        assert value.utcoffset() == timedelta(0)
        assert value == written.replace(microsecond=123000)
        assert (value.year, value.month, value.day, value.hour) == (2025, 2, 28, 23)


def test_datetime_filters_compare_instants_across_offsets(db):
    db["times"].insert_one({"_id": "t", "at": datetime(2025, 3, 1, 0, 30, tzinfo=timezone.utc)})
    local = timezone(timedelta(hours=8))
    assert db["times"].count_documents({"at": {"$lt": datetime(2025, 3, 1, 9, 0, tzinfo=local)}}) == 1
    assert db["times"].count_documents({"at": {"$lt": datetime(2025, 3, 1, 8, 0, tzinfo=local)}}) == 0


def test_push_each_with_slice_keeps_the_last_entries_in_order(db):
    db["arrays"].insert_one({"_id": "a", "items": [1, 2]})
    db["arrays"].update_one({"_id": "a"}, {"$push": {"items": {"$each": [3, 4, 5], "$slice": -4}}})
    assert db["arrays"].find_one({"_id": "a"})["items"] == [2, 3, 4, 5]
    db["arrays"].update_one({"_id": "b"}, {"$push": {"items": {"$each": [7], "$slice": -4}}}, upsert=True)
    assert db["arrays"].find_one({"_id": "b"})["items"] == [7]


def test_pull_by_id_removes_only_the_matching_subdocuments(db):
    db["arrays"].insert_one({"_id": "p", "outbox": [{"id": "e1", "n": 1}, {"id": "e2", "n": 2}, {"id": "e1", "n": 3}]})
    result = db["arrays"].update_one({"_id": "p"}, {"$pull": {"outbox": {"id": "e1"}}})
    assert result.modified_count == 1
    assert db["arrays"].find_one({"_id": "p"})["outbox"] == [{"id": "e2", "n": 2}]
    assert db["arrays"].count_documents({"outbox.id": {"$exists": True}}) == 1
    db["arrays"].update_one({"_id": "p"}, {"$pull": {"outbox": {"id": "e2"}}})
    assert db["arrays"].count_documents({"outbox.id": {"$exists": True}}) == 0
