"""Documents and events shaped exactly like the ones the services store."""
from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone

from services.assignment import store as assignment_store
from services.intake import store as intake_store
from services.mediation import store as mediation_store
from services.notify import store as notify_store
from services.reporting import store as reporting_store
from shared import outbox
from shared.events import new_event

SERVICE_INDEXES = {
    "intake": intake_store.INDEXES,
    "assignment": assignment_store.INDEXES,
    "notify": notify_store.INDEXES,
    "reporting": reporting_store.INDEXES,
    "mediation": mediation_store.INDEXES,
}

VILLAGE = "152531100901"          # 示例一村, 大北沟镇, 多伦县
OTHER_VILLAGE = "152531101901"    # another township of the same banner
FAR_VILLAGE = "152502001901"      # another banner
T0 = datetime(2025, 3, 1, 2, 30, tzinfo=timezone.utc)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def submitted(petition_id: str, division: str = VILLAGE, *, sequence: int = 1,
              petitioner_ref: str = "ref_conformance", at: datetime = T0):
    return new_event("petition.submitted", {
        "petition_id": petition_id, "number": f"{division[:6]}-20250301-00001", "category": "complaint",
        "channel": "web", "language": "zh", "petitioner_ref": petitioner_ref, "preferred_agent_id": None,
        "received_at": at,
        "deadlines": {"receipt_notice_due": date(2025, 3, 16), "handling_due": date(2025, 5, 15)},
    }, division=division, correlation_id=petition_id, sequence=sequence)


def assigned(petition_id: str, division: str = VILLAGE, *, sequence: int = 1, at: datetime = T0):
    return new_event("petition.assigned", {
        "petition_id": petition_id, "agent": {"id": "agt-1", "name": "示例代办员", "division": division},
        "level": "village", "reason": "village agent with the lowest load (0/8)",
        "petitioner_ref": "ref_conformance", "assigned_at": at, "first_contact_due": at + timedelta(hours=24),
    }, division=division, correlation_id=petition_id, sequence=sequence)


def petition(*, number: str | None = None, petitioner_ref: str = "ref_conformance",
             idempotency_key: str | None = None, received_at: datetime = T0, division: str = VILLAGE) -> dict:
    """A petition as intake's API builds it (``idempotency_key`` is None when the header is absent)."""
    petition_id = unique("pet")
    return {
        "_id": petition_id, "number": number or unique("152531-20250301"), "status": "submitted",
        "title": "草场边界纠纷", "description": "邻居越界放牧", "division": division, "category": "complaint",
        "channel": "web", "language": "zh", "preferred_agent_id": None, "petitioner_ref": petitioner_ref,
        "received_at": received_at, "updated_at": received_at,
        "deadlines": {"receipt_notice_due": "2025-03-16", "handling_due": "2025-05-15"},
        "assigned_agent": None, "level": None, "timeline": [],
        "idempotency_key": idempotency_key, "request_fingerprint": "f" * 64 if idempotency_key else None,
    }


def insert_petition(db, **fields) -> dict:
    doc = petition(**fields)
    intake_store.insert_petition(db, doc, [submitted(doc["_id"], doc["division"])])
    return doc


def agent(agent_id: str, division: str, *, level: str = "village", capacity: int = 8, active: bool = True) -> dict:
    return {"id": agent_id, "name": f"{agent_id}（示例）", "kind": "village_cadre", "division": division,
            "level": level, "languages": ["zh"], "specialities": [], "capacity": capacity,
            "active": active, "synthetic": True}


def assignment(petition_id: str, agent_id: str | None, *, division: str = VILLAGE, status: str = "assigned",
               assigned_at: datetime = T0) -> dict:
    return {"_id": petition_id, "petition_number": unique("n"), "division": division, "category": "complaint",
            "petitioner_ref": "ref_conformance", "received_at": assigned_at, "assigned_at": assigned_at,
            "opened_at": assigned_at, "status": status, "level": "village", "reason": "test",
            "holder": None if agent_id is None else {"kind": "agent", "id": agent_id, "name": agent_id,
                                                     "division": division}}


def with_outbox(document: dict, events) -> dict:
    return outbox.new_document(document, events)
