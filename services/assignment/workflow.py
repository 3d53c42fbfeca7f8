"""The assignment's life as pure transitions: each takes the current document and returns a Step
(the fields to set and the events to emit) or raises WorkflowError. No I/O; who may act is checked
by the API, whether the petition's state allows it is checked here.

queued ──assign──▶ assigned ──accept──▶ accepted ──close──▶ closed ──review──▶ queued (level up)
   ▲                  │ decline            │ escalate / route out ──▶ queued (level up) / routed_out
   └──────────────────┘                    └ contact, verify, forward, reply, note, mediation, extend
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from . import clocks

QUEUED, ASSIGNED, ACCEPTED, CLOSED, ROUTED_OUT = "queued", "assigned", "accepted", "closed", "routed_out"
NEXT_LEVEL = {"village": "township", "township": "banner", "banner": "league", "league": "league"}


class WorkflowError(Exception):
    """The petition's state does not allow this (409), or a limit of the law is reached."""

    def __init__(self, kind: str, detail: str, field_name: str | None = None):
        super().__init__(detail)
        self.kind, self.detail, self.field = kind, detail, field_name


@dataclass(frozen=True)
class Policy:
    zone: str
    warn_fraction: float
    first_contact_hours: int
    village_closure_days: int


@dataclass
class Step:
    action: str
    changes: dict = field(default_factory=dict)
    events: list[tuple[str, dict]] = field(default_factory=list)

    def then(self, other: "Step") -> "Step":
        return Step(f"{self.action}+{other.action}", {**self.changes, **other.changes}, self.events + other.events)


def _require(doc: dict, *statuses: str) -> None:
    if doc["status"] not in statuses:
        raise WorkflowError("invalid-transition", f"not possible while the petition is {doc['status']}")


def _with_clocks(doc: dict, changed: dict) -> dict:
    merged = {**doc.get("clocks", {}), **changed}
    return {"clocks": merged, "next_check_at": clocks.next_check(merged)}


def new_assignment(petition: dict, now: datetime, policy: Policy) -> dict:
    received = petition["received_at"]
    notice = clocks.start(received, received + timedelta(days=clocks.RECEIPT_NOTICE_DAYS), policy.warn_fraction)
    return {**petition, "status": QUEUED, "level": "village", "holder": None, "agent": None, "declined_by": [],
            "review_round": 0, "extended": False, "forwards": [], "notes": [], "history": [], "seq": 0,
            "opened_at": now, **_with_clocks({}, {"receipt_notice": notice})}


def assign(doc: dict, agent: dict, level: str, reason: str, now: datetime, policy: Policy) -> Step:
    _require(doc, QUEUED, ASSIGNED, ACCEPTED)
    changed = {}
    if not doc.get("contacted_at"):
        due = now + timedelta(hours=policy.first_contact_hours)
        changed["first_contact"] = clocks.start(now, due, policy.warn_fraction)
    if level == "village" and "village_closure" not in doc["clocks"]:
        due = now + timedelta(days=policy.village_closure_days)
        changed["village_closure"] = clocks.start(now, due, policy.warn_fraction)
    elif level != "village":
        changed.update(_stop_if_running(doc, "village_closure", now))  # no longer a village matter
    first_contact = changed.get("first_contact", doc["clocks"].get("first_contact", {})).get("due_at", now)
    holder = {"kind": "agent", "id": agent["id"], "name": agent["name"], "division": agent["division"]}
    return Step("assign", {"status": ASSIGNED, "holder": holder, "agent": holder, "level": level, "reason": reason,
                           "assigned_at": now, **_with_clocks(doc, changed)},
                [("petition.assigned", {"petition_id": doc["_id"], "agent": _ref(holder), "level": level,
                                        "reason": reason, "petitioner_ref": doc["petitioner_ref"],
                                        "assigned_at": now, "first_contact_due": first_contact})])


def queue(doc: dict, level: str, reason: str, now: datetime) -> Step:
    return Step("queue", {"status": QUEUED, "holder": None, "level": level, "reason": reason, "queued_at": now},
                [("assignment.queued", {"petition_id": doc["_id"], "petitioner_ref": doc["petitioner_ref"],
                                        "level": level, "reason": reason, "queued_at": now})])


def take(doc: dict, coordinator: dict, now: datetime, policy: Policy) -> Step:
    """A coordinator handles the petition directly."""
    _require(doc, QUEUED, ASSIGNED, ACCEPTED)
    holder = {"kind": "coordinator", **coordinator}
    step = Step("take", {"status": ASSIGNED, "holder": holder, "agent": holder, "reason": "taken by the coordinator"},
                [("petition.assigned", {"petition_id": doc["_id"], "agent": _ref(holder), "level": doc["level"],
                                        "reason": "taken by the coordinator", "petitioner_ref": doc["petitioner_ref"],
                                        "assigned_at": now, "first_contact_due": _first_contact_due(doc, now)})])
    return step.then(accept({**doc, **step.changes}, now, policy))


def accept(doc: dict, now: datetime, policy: Policy) -> Step:
    _require(doc, ASSIGNED)
    changed = {}
    if clocks.running(doc["clocks"].get("receipt_notice")):
        changed["receipt_notice"] = clocks.stop(doc["clocks"]["receipt_notice"], now)
    handling = doc["clocks"].get("handling")
    if handling is None:
        handling = clocks.start(now, now + timedelta(days=clocks.HANDLING_DAYS), policy.warn_fraction)
        changed["handling"] = handling
    return Step("accept", {"status": ACCEPTED, "accepted_at": doc.get("accepted_at") or now,
                           **_with_clocks(doc, changed)},
                [("assignment.accepted", {"petition_id": doc["_id"], "agent_id": doc["holder"]["id"],
                                          "accepted_at": now, "handling_due": handling["due_at"]})])


def decline(doc: dict, reason_code: str, now: datetime, note_text: str = "") -> Step:
    _require(doc, ASSIGNED)
    agent_id = doc["holder"]["id"]
    notes = doc["notes"] + ([{"at": now, "by": agent_id, "text": note_text, "public": False}] if note_text else [])
    return Step("decline", {"declined_by": sorted(set(doc["declined_by"]) | {agent_id}), "holder": None,
                            "notes": notes},
                [("assignment.declined", {"petition_id": doc["_id"], "agent_id": agent_id,
                                          "reason_code": reason_code, "declined_at": now})])


def contact(doc: dict, method: str, now: datetime) -> Step:
    _require(doc, ACCEPTED)
    if doc.get("contacted_at"):
        raise WorkflowError("already-done", "first contact is already recorded; add a progress note instead")
    changed = _stop_if_running(doc, "first_contact", now)
    return Step("contact", {"contacted_at": now, **_with_clocks(doc, changed)},
                [("petition.contacted", {"petition_id": doc["_id"], "agent_id": doc["holder"]["id"],
                                         "method": method, "contacted_at": now})])


def verify(doc: dict, findings: str, now: datetime) -> Step:
    _require(doc, ACCEPTED)
    return Step("verify", {"verified_at": now, "findings": findings},
                [("petition.verified", {"petition_id": doc["_id"], "agent_id": doc["holder"]["id"],
                                        "verified_at": now})])


def forward(doc: dict, department: dict, note: str, now: datetime, policy: Policy) -> Step:
    _require(doc, ACCEPTED)
    due = clocks.add_working_days(now, clocks.OBJECTION_WORKING_DAYS, policy.zone)
    ref = {"id": department["id"], "name": department["name"]}
    forwards = doc["forwards"] + [{**ref, "forwarded_at": now, "note": note, "reply": None}]
    objection = clocks.start(now, due, policy.warn_fraction)
    return Step("forward", {"forwards": forwards, **_with_clocks(doc, {"department_objection": objection})},
                [("petition.forwarded", {"petition_id": doc["_id"], "department": ref, "forwarded_at": now,
                                         "objection_due": due})])


def department_reply(doc: dict, department_id: str, accepted: bool, reply: str, now: datetime) -> Step:
    _require(doc, ACCEPTED)
    open_forwards = [i for i, f in enumerate(doc["forwards"]) if f["id"] == department_id and f["reply"] is None]
    if not open_forwards:
        raise WorkflowError("invalid-transition", "no open forward to this department", "department_id")
    forwards = [dict(f) for f in doc["forwards"]]
    forwards[open_forwards[-1]]["reply"] = {"accepted": accepted, "text": reply, "at": now}
    changed = _stop_if_running(doc, "department_objection", now)
    ref = {"id": department_id, "name": forwards[open_forwards[-1]]["name"]}
    return Step("department_reply", {"forwards": forwards, **_with_clocks(doc, changed)},
                [("petition.department_replied", {"petition_id": doc["_id"], "department": ref,
                                                  "accepted": accepted, "replied_at": now})])


def note(doc: dict, text: str, public: bool, author: str, now: datetime) -> Step:
    _require(doc, QUEUED, ASSIGNED, ACCEPTED)
    notes = doc["notes"] + [{"at": now, "by": author, "text": text, "public": public}]
    events = [("petition.progress_noted", {"petition_id": doc["_id"], "note": text, "noted_at": now})] if public else []
    return Step("note", {"notes": notes}, events)


def request_mediation(doc: dict, kind: str, note_text: str, by: str, now: datetime) -> Step:
    _require(doc, ACCEPTED)
    return Step("request_mediation", {"mediation_requested_at": now},
                [("mediation.requested", {"petition_id": doc["_id"], "requested_by": by, "kind": kind,
                                          "note": note_text})])


def escalate(doc: dict, reason: str, now: datetime) -> Step:
    _require(doc, ASSIGNED, ACCEPTED)
    to_level = NEXT_LEVEL[doc["level"]]
    if to_level == doc["level"]:
        raise WorkflowError("invalid-transition", "there is no level above the league")
    changed = _stop_if_running(doc, "village_closure", now)
    return Step("escalate", {"status": QUEUED, "holder": None, "level": to_level, "reason": reason,
                             "escalated_at": now, **_with_clocks(doc, changed)},
                [("assignment.escalated", {"petition_id": doc["_id"], "from_level": doc["level"],
                                           "to_level": to_level, "reason": reason, "escalated_at": now})])


def route_out(doc: dict, procedure: str, organ: str, guidance: str, now: datetime) -> Step:
    _require(doc, ASSIGNED, ACCEPTED)
    return Step("route_out", {"status": ROUTED_OUT, "routed_out": {"procedure": procedure, "organ": organ,
                                                                     "guidance": guidance, "at": now},
                              **_with_clocks(doc, _stop_all(doc, now))},
                [("petition.routed_out", {"petition_id": doc["_id"], "procedure": procedure, "organ": organ,
                                          "guidance": guidance, "routed_at": now})])


def extend(doc: dict, days: int, reason: str, now: datetime, policy: Policy) -> Step:
    _require(doc, ACCEPTED)
    if doc["extended"]:
        raise WorkflowError("limit-reached", "the handling limit can be extended only once (条例 第三十四条)", "days")
    if not 1 <= days <= clocks.MAX_EXTENSION_DAYS:
        raise WorkflowError("limit-reached", "an extension is 1 to 30 days (条例 第三十四条)", "days")
    if not clocks.running(doc["clocks"].get("handling")):
        raise WorkflowError("invalid-transition", "the handling clock is not running")
    if now > doc["clocks"]["handling"]["due_at"]:
        raise WorkflowError("limit-reached", "the handling limit has already passed; an extension is decided "
                                             "before it runs out (条例 第三十四条)", "days")
    handling = clocks.extend(doc["clocks"]["handling"], days, policy.warn_fraction)
    return Step("extend", {"extended": True, **_with_clocks(doc, {"handling": handling})},
                [("assignment.extended", {"petition_id": doc["_id"], "days": days, "reason": reason,
                                          "handling_due": handling["due_at"]})])


def close(doc: dict, outcome: str, answer: str, legal_basis: str, now: datetime) -> Step:
    _require(doc, ACCEPTED)
    limit = doc["clocks"].get("review_answer") if doc["review_round"] else doc["clocks"].get("handling")
    on_time = limit is None or now <= limit["due_at"]
    return Step("close", {"status": CLOSED, "closed_at": now, "closed_level": doc["level"],
                          "answer": {"outcome": outcome, "answer": answer, "legal_basis": legal_basis},
                          **_with_clocks(doc, _stop_all(doc, now))},
                [("petition.closed", {"petition_id": doc["_id"], "outcome": outcome, "level": doc["level"],
                                      "answer": answer, "legal_basis": legal_basis, "closed_at": now,
                                      "on_time": on_time, "review_round": doc["review_round"]})])


def request_review(doc: dict, kind: str, now: datetime, policy: Policy) -> Step:
    """复查 after a first answer, 复核 after a review answer: the next level up answers in 30 days."""
    _require(doc, CLOSED)
    expected_round = {"review": 0, "re_review": 1}[kind]
    if doc["review_round"] != expected_round:
        raise WorkflowError("invalid-transition", f"a {kind} is not possible after round {doc['review_round']}")
    level = NEXT_LEVEL[doc.get("closed_level", doc["level"])]
    answer = clocks.start(now, now + timedelta(days=clocks.REVIEW_ANSWER_DAYS), policy.warn_fraction)
    reopened = {**doc, "status": QUEUED}
    step = Step("request_review", {"review_round": expected_round + 1, **_with_clocks(doc, {"review_answer": answer})})
    return step.then(queue(reopened, level, f"{kind} requested", now))


def alert(doc: dict, clock_name: str, kind: str, now: datetime) -> Step:
    clock = doc["clocks"][clock_name]
    agent_id = doc["holder"]["id"] if doc.get("holder") else None
    return Step(f"clock_{kind}", _with_clocks(doc, {clock_name: clocks.raise_alert(clock, kind)}),
                [(f"assignment.{kind}", {"petition_id": doc["_id"], "clock": clock_name, "due_at": clock["due_at"],
                                         "level": doc["level"], "agent_id": agent_id})])


def _ref(holder: dict) -> dict:
    return {"id": holder["id"], "name": holder["name"], "division": holder["division"]}


def _first_contact_due(doc: dict, now: datetime) -> datetime:
    return doc["clocks"].get("first_contact", {}).get("due_at", now)


def _stop_if_running(doc: dict, name: str, now: datetime) -> dict:
    clock = doc["clocks"].get(name)
    return {name: clocks.stop(clock, now)} if clocks.running(clock) else {}


def _stop_all(doc: dict, now: datetime) -> dict:
    return {name: clocks.stop(c, now) for name, c in doc["clocks"].items() if clocks.running(c)}
