"""Builders for the consumer-side unit tests: a service context over an in-memory store, events of
one petition's assignment stream with valid data, and delivery as the consumer delivers them."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

from shared import config, store
from shared.events import new_event, parse_envelope, validate_data
from shared.metrics import ServiceMetrics
from shared.runtime import ServiceContext

VILLAGE = "152531100901"
TOWNSHIP = VILLAGE[:9]
NOW = datetime(2025, 3, 1, 2, 0, tzinfo=timezone.utc)   # 10:00 in Shanghai
AGENT = {"id": "agt-1", "name": "巴特尔（示例）", "division": VILLAGE}
DEPARTMENT = {"id": "dep-1", "name": "多伦县住房和城乡建设局"}


def context(service: str, *indexes: dict) -> ServiceContext:
    settings = config.load({"DAIBAN_DB_PREFIX": "unit"})
    db = store.connect(settings, service)
    for spec in indexes:
        store.ensure_indexes(db, spec)
    return ServiceContext(service, settings, db, ServiceMetrics(service), clock=lambda: NOW)


def deliver(handlers: dict, event) -> None:
    """As the consumer does: the message is parsed and its data validated before the handler runs."""
    received = parse_envelope(event.to_message())
    handlers[received.type](received, validate_data(received))


def at(minutes: int) -> datetime:
    return NOW + timedelta(minutes=minutes)


def _clock(at_: datetime) -> dict:
    return {"clock": "handling", "due_at": at_, "level": "village", "agent_id": AGENT["id"]}


DATA = {
    "petition.submitted": lambda: {
        "number": "152531-20250301-00001", "category": "complaint", "channel": "web", "language": "zh",
        "petitioner_ref": "ref_p", "preferred_agent_id": None, "received_at": NOW,
        "deadlines": {"receipt_notice_due": date(2025, 3, 16), "handling_due": date(2025, 5, 15)}},
    "petition.review_requested": lambda: {"kind": "review", "requested_at": at(90)},
    "petition.assigned": lambda: {
        "agent": AGENT, "level": "village", "reason": "village agent with the lowest load (0/8)",
        "petitioner_ref": "ref_p", "assigned_at": at(1), "first_contact_due": at(1) + timedelta(hours=24)},
    "assignment.queued": lambda: {"petitioner_ref": "ref_p", "level": "village", "reason": "no village agent fits",
                                  "queued_at": at(1)},
    # 2025-04-30 16:30 UTC is already May 1 in Shanghai
    "assignment.accepted": lambda: {"agent_id": AGENT["id"], "accepted_at": at(2),
                                    "handling_due": datetime(2025, 4, 30, 16, 30, tzinfo=timezone.utc)},
    "assignment.declined": lambda: {"agent_id": AGENT["id"], "reason_code": "over_capacity", "declined_at": at(2)},
    "petition.contacted": lambda: {"agent_id": AGENT["id"], "method": "home_visit", "contacted_at": at(3)},
    "petition.verified": lambda: {"agent_id": AGENT["id"], "verified_at": at(4)},
    "petition.forwarded": lambda: {"department": DEPARTMENT, "forwarded_at": at(5),
                                   "objection_due": at(5) + timedelta(days=7)},
    "petition.department_replied": lambda: {"department": DEPARTMENT, "accepted": True, "replied_at": at(6)},
    "petition.progress_noted": lambda: {"note": "施工队下周一更换路灯", "noted_at": at(7)},
    "mediation.requested": lambda: {"requested_by": AGENT["id"], "kind": "three_party", "note": "三方会商"},
    "assignment.escalated": lambda: {"from_level": "village", "to_level": "township", "reason": "村内协调未果",
                                     "escalated_at": at(8)},
    "petition.routed_out": lambda: {"procedure": "arbitration", "organ": "多伦县劳动人事争议仲裁委员会",
                                    "guidance": "请于一年内向仲裁委员会申请劳动仲裁。", "routed_at": at(9)},
    "assignment.extended": lambda: {"days": 30, "reason": "需要等待鉴定结论",
                                    "handling_due": datetime(2025, 5, 30, 16, 30, tzinfo=timezone.utc)},
    "petition.closed": lambda: {"outcome": "support", "level": "township", "answer": "路灯已于三月十日修复。",
                                "legal_basis": "《信访工作条例》第三十二条", "closed_at": at(10), "on_time": True},
    "assignment.due_soon": lambda: _clock(at(11)),
    "assignment.overdue": lambda: _clock(datetime(2025, 3, 2, 16, 0, tzinfo=timezone.utc)),
}

AGENT_DATA = {
    "agent.registered": lambda: {"name": "巴特尔（示例）", "kind": "grid_worker", "division": VILLAGE,
                                 "level": "village", "languages": ["mn", "zh"], "specialities": ["land_grassland"],
                                 "capacity": 8, "active": True},
    "agent.deactivated": lambda: {"reason": "moved away"},
}
AGENT_DATA["agent.updated"] = lambda: {**AGENT_DATA["agent.registered"](), "capacity": 12}


def event(name: str, sequence: int = 1, petition_id: str = "pet-1", division: str = VILLAGE,
          occurred_at: datetime | None = None, **overrides):
    """An event of the petition's stream (correlation id = the petition) with valid data."""
    data = {"petition_id": petition_id, **DATA[name](), **overrides}
    built = new_event(name, data, division=division, correlation_id=petition_id).with_sequence(sequence)
    return replace(built, occurred_at=occurred_at) if occurred_at else built


def agent_event(name: str, sequence: int = 1, agent_id: str = "agt-1", **overrides):
    """An event of the agent's own stream (correlation id = the agent)."""
    data = {"agent_id": agent_id, **AGENT_DATA[name](), **overrides}
    return new_event(name, data, division=VILLAGE, correlation_id=agent_id).with_sequence(sequence)
