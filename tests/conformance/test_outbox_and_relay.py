"""The outbox inside each aggregate, and the relay's lease, on every backend."""
from __future__ import annotations

from datetime import timedelta

from services.intake import store as intake_store
from shared import outbox
from shared.events import utcnow
from shared.metrics import ServiceMetrics
from shared.relay import LEASE, OutboxRelay

from .builders import assigned, insert_petition, petition, submitted

PETITIONS = intake_store.PETITIONS


class RecordingPublisher:
    """Stands in for shared.bus.publisher.Publisher: every publish is confirmed."""

    def __init__(self):
        self.published: list[dict] = []

    def publish_event(self, message: dict) -> None:
        self.published.append(message)


def relay_for(db, publisher=None) -> OutboxRelay:
    return OutboxRelay(db, [PETITIONS], publisher or RecordingPublisher(), ServiceMetrics("intake"))


def test_an_inserted_petition_carries_its_event_in_its_outbox(db):
    doc = insert_petition(db)
    pending = outbox.pending(db[PETITIONS])
    assert [p["_id"] for p in pending] == [doc["_id"]]
    assert set(pending[0]) == {"_id", "outbox"}
    [message] = pending[0]["outbox"]
    assert message["type"] == "petition.submitted"
    assert message["correlation_id"] == doc["_id"]
    assert db[PETITIONS].find_one({"_id": doc["_id"]})["version"] == 1
    assert outbox.backlog(db[PETITIONS]) == 1


def test_mark_published_pulls_only_that_event_and_the_backlog_shrinks(db):
    doc = petition()
    first, second = submitted(doc["_id"]), assigned(doc["_id"], sequence=2)
    intake_store.insert_petition(db, doc, [first, second])
    assert outbox.backlog(db[PETITIONS]) == 2
    outbox.mark_published(db[PETITIONS], doc["_id"], first.id)
    stored = db[PETITIONS].find_one({"_id": doc["_id"]})
    assert [m["id"] for m in stored["outbox"]] == [second.id]
    outbox.mark_published(db[PETITIONS], doc["_id"], second.id)
    assert outbox.pending(db[PETITIONS]) == []
    assert outbox.backlog(db[PETITIONS]) == 0


def test_an_update_with_events_appends_them_and_bumps_the_version(db):
    doc = petition()
    intake_store.insert_petition(db, doc, [])
    assert outbox.pending(db[PETITIONS]) == []
    event = assigned(doc["_id"], sequence=2)
    db[PETITIONS].update_one({"_id": doc["_id"], "version": 1},
                             outbox.with_events({"$set": {"status": "assigned"}}, [event]))
    stored = db[PETITIONS].find_one({"_id": doc["_id"]})
    assert stored["status"] == "assigned"
    assert stored["version"] == 2
    assert [m["id"] for m in stored["outbox"]] == [event.id]


def test_pending_lists_every_outbox_with_events_and_honours_the_limit(db):
    docs = [petition() for _ in range(3)]
    for doc in docs:
        intake_store.insert_petition(db, doc, [submitted(doc["_id"])])
    intake_store.insert_petition(db, petition(), [])
    assert sorted(p["_id"] for p in outbox.pending(db[PETITIONS])) == sorted(d["_id"] for d in docs)
    assert len(outbox.pending(db[PETITIONS], limit=2)) == 2


def test_a_relay_claims_an_outbox_and_a_second_relay_cannot_while_the_lease_holds(db):
    doc = insert_petition(db)
    first, second = relay_for(db), relay_for(db)
    claimed = first._claim_next(db[PETITIONS])
    assert claimed["_id"] == doc["_id"] and len(claimed["outbox"]) == 1, "the claim reads the outbox too"
    assert second._claim_next(db[PETITIONS]) is None
    assert first._claim_next(db[PETITIONS])["_id"] == doc["_id"], "the owner may renew its own lease"
    lease = db[PETITIONS].find_one({"_id": doc["_id"]})["outbox_lease"]
    assert lease["until"].tzinfo is not None
    assert utcnow() < lease["until"] <= utcnow() + LEASE


def test_an_expired_lease_can_be_taken_over(db):
    doc = insert_petition(db)
    first, second = relay_for(db), relay_for(db)
    assert first._claim_next(db[PETITIONS])
    db[PETITIONS].update_one({"_id": doc["_id"]}, {"$set": {"outbox_lease.until": utcnow() - timedelta(seconds=1)}})
    assert second._claim_next(db[PETITIONS])["_id"] == doc["_id"]
    assert first._claim_next(db[PETITIONS]) is None


def test_a_relay_pass_publishes_every_event_in_order_then_empties_the_outbox_and_drops_its_lease(db):
    doc = petition()
    events = [submitted(doc["_id"]), assigned(doc["_id"], sequence=2)]
    intake_store.insert_petition(db, doc, events)
    other = petition()
    other_event = submitted(other["_id"])
    intake_store.insert_petition(db, other, [other_event])
    publisher = RecordingPublisher()
    relay = relay_for(db, publisher)
    assert relay.flush() == 3
    published = [m["id"] for m in publisher.published]
    assert sorted(published) == sorted([events[0].id, events[1].id, other_event.id])
    assert published.index(events[0].id) < published.index(events[1].id)
    assert outbox.backlog(db[PETITIONS]) == 0
    assert relay.backlog() == 0
    assert "outbox_lease" not in db[PETITIONS].find_one({"_id": doc["_id"]})
    assert relay.flush() == 0


def test_a_relay_pass_skips_an_outbox_leased_by_another_live_relay(db):
    doc = insert_petition(db)
    assert relay_for(db)._claim_next(db[PETITIONS])["_id"] == doc["_id"]
    publisher = RecordingPublisher()
    assert relay_for(db, publisher).flush() == 0
    assert publisher.published == []
    assert outbox.backlog(db[PETITIONS]) == 1
