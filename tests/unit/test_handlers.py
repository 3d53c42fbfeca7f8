"""Each service's event handlers, called as the consumer calls them, over an in-memory store."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from services.assignment import handlers as assignment_handlers
from services.assignment import agents_store
from services.assignment import store as assignment_store
from services.intake import handlers as intake_handlers
from services.intake import store as intake_store
from services.mediation import handlers as mediation_handlers
from services.mediation import store as mediation_store
from services.notify import handlers as notify_handlers
from services.notify import store as notify_store
from services.reporting import handlers as reporting_handlers
from services.reporting import store as reporting_store
from shared import config, outbox, store
from shared.events import new_event, parse_envelope, validate_data
from shared.metrics import ServiceMetrics
from shared.privacy import subject_ref
from shared.runtime import ServiceContext

VILLAGE = "152531100901"
NOW = datetime(2025, 3, 1, 2, 0, tzinfo=timezone.utc)   # 10:00 in Shanghai


def context(service: str, indexes: dict) -> ServiceContext:
    settings = config.load({"DAIBAN_DB_PREFIX": "unit"})
    db = store.connect(settings, service)
    store.ensure_indexes(db, indexes)
    return ServiceContext(service, settings, db, ServiceMetrics(service), clock=lambda: NOW)


def deliver(handlers: dict, event) -> None:
    """As the consumer does: the message is parsed and its data validated before the handler runs."""
    received = parse_envelope(event.to_message())
    handlers[received.type](received, validate_data(received))


def submitted(petition_id: str = "pet-1", preferred: str | None = None):
    return new_event("petition.submitted", {
        "petition_id": petition_id, "number": "152531-20250301-00001", "category": "complaint",
        "channel": "web", "language": "zh", "petitioner_ref": "ref_p", "preferred_agent_id": preferred,
        "received_at": NOW, "deadlines": {"receipt_notice_due": date(2025, 3, 16), "handling_due": date(2025, 5, 15)},
    }, division=VILLAGE, correlation_id=petition_id)


def assigned(petition_id: str = "pet-1"):
    return new_event("petition.assigned", {
        "petition_id": petition_id, "agent": {"id": "agt-1", "name": "巴特尔（示例）", "division": VILLAGE},
        "level": "village", "reason": "village agent with the lowest load (0/8)", "petitioner_ref": "ref_p",
        "assigned_at": NOW, "first_contact_due": datetime(2025, 3, 2, 2, 0, tzinfo=timezone.utc),
    }, division=VILLAGE, correlation_id=petition_id)


def agent(agent_id: str, division: str = VILLAGE, **fields) -> dict:
    return {"id": agent_id, "name": f"{agent_id}（示例）", "division": division,
            "level": "village" if len(division) == 12 else "township", "capacity": 8, "active": True, **fields}


@pytest.fixture
def assignment_ctx():
    ctx = context("assignment", assignment_store.INDEXES)
    agents_store.load_agents(ctx.db, [agent("agt-a"), agent("agt-b"), agent("agt-t", VILLAGE[:9]),
                                          agent("agt-chosen", "152531101901")])
    return ctx


def test_a_submitted_petition_is_assigned_and_the_assignment_event_waits_in_the_outbox(assignment_ctx):
    cause = submitted()
    deliver(assignment_handlers.build(assignment_ctx), cause)
    stored = assignment_ctx.db[assignment_store.ASSIGNMENTS].find_one({"_id": "pet-1"})
    assert (stored["status"], stored["holder"]["id"], stored["level"]) == ("assigned", "agt-a", "village")
    assert stored["clocks"]["first_contact"]["due_at"] == datetime(2025, 3, 2, 2, 0, tzinfo=timezone.utc)
    [message] = stored["outbox"]
    assert (message["type"], message["sequence"]) == ("petition.assigned", 1)
    assert message["data"]["agent"] == {"id": "agt-a", "name": "agt-a（示例）", "division": VILLAGE}
    assert message["causation_id"] == cause.id


def test_a_redelivered_submission_is_assigned_only_once(assignment_ctx):
    handlers = assignment_handlers.build(assignment_ctx)
    event = submitted()
    deliver(handlers, event)
    deliver(handlers, event)
    assert assignment_ctx.db[assignment_store.ASSIGNMENTS].count_documents({}) == 1
    assert outbox.backlog(assignment_ctx.db[assignment_store.ASSIGNMENTS]) == 1


def test_the_second_petition_goes_to_the_less_loaded_village_agent(assignment_ctx):
    handlers = assignment_handlers.build(assignment_ctx)
    deliver(handlers, submitted("pet-1"))
    deliver(handlers, submitted("pet-2"))
    agents = [d["holder"]["id"] for d in assignment_ctx.db[assignment_store.ASSIGNMENTS].find({}).sort("_id", 1)]
    assert agents == ["agt-a", "agt-b"]


def test_the_petitioners_chosen_agent_gets_the_petition(assignment_ctx):
    deliver(assignment_handlers.build(assignment_ctx), submitted(preferred="agt-chosen"))
    stored = assignment_ctx.db[assignment_store.ASSIGNMENTS].find_one({"_id": "pet-1"})
    assert (stored["holder"]["id"], stored["reason"]) == ("agt-chosen", "chosen by the petitioner")


def test_without_an_agent_the_petition_is_queued_for_the_township_coordinator_and_that_is_announced():
    ctx = context("assignment", assignment_store.INDEXES)
    deliver(assignment_handlers.build(ctx), submitted())
    stored = ctx.db[assignment_store.ASSIGNMENTS].find_one({"_id": "pet-1"})
    assert (stored["status"], stored["level"], stored["holder"]) == ("queued", "township", None)
    [message] = stored["outbox"]
    assert (message["type"], message["data"]["level"]) == ("assignment.queued", "township")


def _intake_with_petition():
    ctx = context("intake", intake_store.INDEXES)
    intake_store.insert_petition(ctx.db, {"_id": "pet-1", "number": "152531-20250301-00001", "status": "submitted",
                                          "division": VILLAGE, "petitioner_ref": "ref_p", "timeline": [],
                                          "idempotency_key": None}, [])
    return ctx


def test_intake_records_the_assignment_on_the_petition_once():
    ctx = _intake_with_petition()
    handlers = intake_handlers.build(ctx)
    event = assigned()
    deliver(handlers, event)
    deliver(handlers, event)
    stored = intake_store.get(ctx.db, "pet-1")
    assert stored["status"] == "assigned"
    assert stored["assigned_agent"]["id"] == "agt-1"
    assert [e["kind"] for e in stored["timeline"]] == ["assigned"]
    assert stored["timeline"][0]["params"] == {"agent_name": "巴特尔（示例）", "level": "village"}


def test_intake_retries_an_assignment_for_a_petition_it_does_not_have_yet():
    ctx = context("intake", intake_store.INDEXES)
    with pytest.raises(intake_handlers.PetitionNotYetHere):
        deliver(intake_handlers.build(ctx), assigned("pet-unknown"))


def test_an_assignment_notifies_petitioner_and_agent_once_with_the_local_due_time():
    ctx = context("notify", notify_store.INDEXES)
    handlers = notify_handlers.build(ctx)
    event = assigned()
    deliver(handlers, event)
    deliver(handlers, event)
    stored = {n["audience"]: n for n in ctx.db[notify_store.NOTIFICATIONS].find({})}
    assert set(stored) == {"petitioner", "agent"}
    assert stored["petitioner"]["recipient_ref"] == "ref_p"
    assert stored["agent"]["recipient_ref"] == subject_ref(ctx.settings, "agt-1")
    assert stored["petitioner"]["params"]["first_contact_due"] == "2025-03-02 10:00"
    assert stored["petitioner"]["_id"] == f"{event.id}:petitioner"


def test_reporting_counts_each_event_once_on_its_village_and_every_division_above():
    ctx = context("reporting", reporting_store.INDEXES)
    handlers = reporting_handlers.build(ctx)
    event = submitted()
    deliver(handlers, event)
    deliver(handlers, event)
    deliver(handlers, assigned())
    for division in (VILLAGE, VILLAGE[:9], "152531", "152500"):
        counted = reporting_store.summary(ctx.db, division, None, None)
        assert {name: value for name, value in counted.items() if value} == {"submitted": 1, "assigned": 1}
    assert reporting_store.summary(ctx.db, "152502", None, None)["submitted"] == 0


def test_a_mediation_request_opens_one_case():
    ctx = context("mediation", mediation_store.INDEXES)
    handlers = mediation_handlers.build(ctx)
    event = new_event("mediation.requested", {"petition_id": "pet-1", "requested_by": "agt-1", "kind": "three_party",
                                              "note": "三方会商"}, division=VILLAGE, correlation_id="pet-1")
    deliver(handlers, event)
    deliver(handlers, event)
    [case] = list(ctx.db[mediation_store.CASES].find({}))
    assert (case["_id"], case["kind"], case["status"], case["note"]) == (f"med-{event.id}", "three_party",
                                                                          "requested", "三方会商")
