"""At-least-once delivery, processed once: the same event delivered twice changes nothing more."""
from __future__ import annotations

import pytest

from services.assignment import store as assignment_store
from services.intake import store as intake_store
from services.notify import store as notify_store
from services.registry import SPECS
from services.reporting import store as reporting_store
from tests.integration.helpers import (VILLAGE_152531, Recorder, assigned_event, handled, published,
                                       publisher, start_consumer, start_runtime, submitted_event)
from tests.support.services import auth
from tests.support.waiting import wait_for

pytestmark = [pytest.mark.slow, pytest.mark.broker]


def _publish_twice(settings, closing, event) -> None:
    pub = publisher(settings, closing)
    message = event.to_message()
    pub.publish_event(message)
    pub.publish_event(message)


def test_duplicated_petition_submitted_gives_one_assignment_and_one_petition_assigned(amqp_settings, closing):
    assigned = Recorder()
    start_consumer("intake", amqp_settings, {"petition.assigned": assigned}, closing)
    rt = start_runtime(SPECS["assignment"], amqp_settings, closing)
    event = submitted_event(VILLAGE_152531)

    _publish_twice(amqp_settings, closing, event)

    wait_for(lambda: handled(rt, "assignment", "petition.submitted") == 2, what="both deliveries handled")
    wait_for(lambda: rt.relay.backlog() == 0 and published(rt, "petition.assigned") >= 1,
             what="the assignment's outbox to be published")
    petition_id = event.data["petition_id"]
    docs = list(rt.db[assignment_store.ASSIGNMENTS].find({}))
    assert [d["_id"] for d in docs] == [petition_id]
    assert docs[0]["status"] == "assigned" and docs[0]["opened_by"] == event.id
    assert published(rt, "petition.assigned") == 1
    wait_for(lambda: assigned.calls >= 1, what="petition.assigned at its consumer")
    assert [e.correlation_id for e in assigned.events] == [petition_id]
    assert assigned.events[0].causation_id == event.id


def test_duplicated_event_is_counted_once_by_reporting(amqp_settings, closing):
    rt = start_runtime(SPECS["reporting"], amqp_settings, closing, relay=False)
    submitted = submitted_event(VILLAGE_152531)
    assigned = assigned_event(submitted.data["petition_id"], VILLAGE_152531)

    _publish_twice(amqp_settings, closing, submitted)
    _publish_twice(amqp_settings, closing, assigned)

    wait_for(lambda: handled(rt, "reporting", "petition.submitted") == 2
             and handled(rt, "reporting", "petition.assigned") == 2, what="all four deliveries handled")
    for division in (VILLAGE_152531, "152531100", "152531", "152500"):
        counts = reporting_store.summary(rt.db, division, None, None)
        assert (counts["submitted"], counts["assigned"]) == (1, 1), division
    [doc] = rt.db[reporting_store.DAILY].find({})
    assert doc["counts"] == {"submitted": 1, "assigned": 1}


def test_duplicated_petition_assigned_notifies_each_audience_once(amqp_settings, closing):
    rt = start_runtime(SPECS["notify"], amqp_settings, closing, relay=False)
    event = assigned_event("pet-dup-notify", VILLAGE_152531)

    _publish_twice(amqp_settings, closing, event)

    wait_for(lambda: handled(rt, "notify", "petition.assigned") == 2, what="both deliveries handled")
    notes = list(rt.db[notify_store.NOTIFICATIONS].find({}))
    assert sorted(n["audience"] for n in notes) == ["agent", "petitioner"]
    assert {n["_id"] for n in notes} == {f"{event.id}:agent", f"{event.id}:petitioner"}
    assert all(n["petition_id"] == "pet-dup-notify" for n in notes)


def test_duplicated_petition_assigned_adds_one_timeline_entry_in_intake(amqp_settings, closing):
    rt = start_runtime(SPECS["intake"], amqp_settings, closing, relay=False)
    client = rt.app().test_client()
    answer = client.post("/api/v1/petitions", headers=auth(amqp_settings, "petitioner", "u-dup", VILLAGE_152531),
                         json={"title": "草场纠纷", "description": "邻居占用了我家的草场。",
                               "division": VILLAGE_152531, "category": "complaint"})
    assert answer.status_code == 201, answer.get_json()
    petition_id = answer.get_json()["id"]
    event = assigned_event(petition_id, VILLAGE_152531)

    _publish_twice(amqp_settings, closing, event)

    wait_for(lambda: handled(rt, "intake", "petition.assigned") == 2, what="both deliveries handled")
    petition = intake_store.get(rt.db, petition_id)
    assert petition["status"] == "assigned"
    assert [e["kind"] for e in petition["timeline"]].count("assigned") == 1
    assert petition["applied"] == [event.id]
