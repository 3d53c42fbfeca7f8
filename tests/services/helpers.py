"""Helpers of the per-service HTTP tests: a service's runtime with its Flask test client, events
delivered to its handlers as the consumer would deliver them (without a bus), builders for request
bodies and events, and problem+json assertions."""
from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone

from shared.events import new_event, parse_envelope, utcnow, validate_data
from shared.http.problems import TYPE_PREFIX
from shared.runtime import ServiceRuntime

VILLAGE = "152525100901"  # 示例一村, 乌里雅斯太镇 (152525100), banner 152525
SIBLING_VILLAGE = "152525101901"  # 道特淖尔镇 (152525101), same banner, another township
OTHER_BANNER_VILLAGE = "152531100901"  # 大北沟镇, 多伦县 (152531)


@dataclass
class Service:
    """One service's runtime and Flask test client."""
    runtime: ServiceRuntime

    def __post_init__(self):
        self.app = self.runtime.app()
        self.client = self.app.test_client()
        self._handlers = self.runtime.spec.handlers(self.runtime.context)

    @property
    def settings(self):
        return self.runtime.context.settings

    @property
    def db(self):
        return self.runtime.db

    def deliver(self, event) -> None:
        """What the consumer does with a message: the wire form, the envelope, the data, the handler."""
        wire = json.loads(json.dumps(event.to_message()))
        parsed = parse_envelope(wire)
        self._handlers[parsed.type](parsed, validate_data(parsed))

    def stored(self) -> dict[str, int]:
        """Documents per collection: everything this service keeps, but the reference data it seeds at
        start (the policy library), which no request writes."""
        return {name: self.db[name].count_documents({}) for name in self.db.list_collection_names()
                if name not in REFERENCE_COLLECTIONS}


REFERENCE_COLLECTIONS = {"policies", "policy_library"}


class SteppingClock:
    """A clock that starts at ``start`` and moves on by ``step`` at every reading."""

    def __init__(self, start: datetime, step: timedelta = timedelta(minutes=1)):
        self.now, self.step = start, step

    def __call__(self) -> datetime:
        current = self.now
        self.now += self.step
        return current


def petition_body(**overrides) -> dict:
    body = {"title": "村口路灯坏了", "description": "村口的路灯坏了三个月，晚上出行不安全。",
            "division": VILLAGE, "category": "complaint"}
    body.update(overrides)
    return body


def problem_of(response, status: int, kind: str) -> dict:
    """Assert ``response`` is a problem document of that status and stable type; return its body."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["type"] == TYPE_PREFIX + kind
    assert problem["status"] == status
    return problem


def fields_of(problem: dict) -> set[str]:
    return {error["field"] for error in problem.get("errors", [])}


def at(event, when: datetime):
    """The same event, as if it had happened at ``when``."""
    return replace(event, occurred_at=when)


def submitted_event(village: str, petition_id: str, petitioner_ref: str = "ref_test", serial: int = 1):
    now = utcnow()
    return new_event("petition.submitted", {
        "petition_id": petition_id, "number": f"{village[:6]}-20250401-{serial:05d}",
        "category": "complaint", "channel": "web", "language": "zh", "petitioner_ref": petitioner_ref,
        "preferred_agent_id": None, "received_at": now,
        "deadlines": {"receipt_notice_due": date(2025, 4, 16), "handling_due": date(2025, 6, 15)},
    }, division=village, correlation_id=petition_id)


def assigned_event(village: str, petition_id: str, agent_id: str, petitioner_ref: str = "ref_test"):
    now = utcnow()
    return new_event("petition.assigned", {
        "petition_id": petition_id, "agent": {"id": agent_id, "name": "测试代办员", "division": village},
        "level": "village", "reason": "village agent with the lowest load (0/5)",
        "petitioner_ref": petitioner_ref, "assigned_at": now, "first_contact_due": now + timedelta(hours=24),
    }, division=village, correlation_id=petition_id)


def mediation_requested_event(village: str, petition_id: str):
    return new_event("mediation.requested", {"petition_id": petition_id, "requested_by": "agt-test",
                                             "kind": "people", "note": ""},
                     division=village, correlation_id=petition_id)


LOCAL_APRIL_1 = datetime(2025, 3, 31, 16, 30, tzinfo=timezone.utc)  # 2025-04-01 00:30 in Asia/Shanghai
