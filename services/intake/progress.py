"""The assignment stream as the petitioner sees it: what each step changes on the petition and which
timeline entry, if any, it adds. Pure Python: no Flask, no pymongo."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable
from zoneinfo import ZoneInfo

from .aftercare import FINAL_ROUND
from .domain import ASSIGNED, assigned_entry, timeline_entry

QUEUED, ACCEPTED, IN_PROGRESS = "queued", "accepted", "in_progress"
ESCALATED, ROUTED_OUT, CLOSED = "escalated", "routed_out", "closed"


@dataclass(frozen=True)
class Step:
    fields: dict = field(default_factory=dict)  # set on the petition
    entry: dict | None = None                   # None: the petitioner does not see this step


@dataclass(frozen=True)
class Moment:
    """What a step may need besides its data: when the event happened, and the local time zone."""
    occurred_at: datetime
    zone: str

    def day(self, at: datetime) -> str:
        return at.astimezone(ZoneInfo(self.zone)).date().isoformat()

    def minute(self, at: datetime) -> str:
        return at.astimezone(ZoneInfo(self.zone)).strftime("%Y-%m-%d %H:%M")


def assigned(data: dict, _: Moment) -> Step:
    return Step({"status": ASSIGNED, "assigned_agent": data["agent"], "level": data["level"]},
                assigned_entry(data["assigned_at"], data["agent"], data["level"]))


def queued(data: dict, _: Moment) -> Step:
    # nobody holds it while it waits: the former holder no longer reads it or counts it as open
    return Step({"status": QUEUED, "level": data["level"], "assigned_agent": None},
                timeline_entry("queued", data["queued_at"], level=data["level"]))


def accepted(data: dict, moment: Moment) -> Step:
    due = moment.day(data["handling_due"])
    return Step({"status": ACCEPTED, "deadlines.handling_due": due},
                timeline_entry("accepted", data["accepted_at"], handling_due=due))


def invisible(_: dict, __: Moment) -> Step:
    return Step()


def contacted(data: dict, _: Moment) -> Step:
    return Step({"status": IN_PROGRESS}, timeline_entry("contacted", data["contacted_at"], method=data["method"]))


def verified(data: dict, _: Moment) -> Step:
    return Step({"status": IN_PROGRESS}, timeline_entry("verified", data["verified_at"]))


def forwarded(data: dict, _: Moment) -> Step:
    return Step({"status": IN_PROGRESS},
                timeline_entry("forwarded", data["forwarded_at"], department=data["department"]["name"]))


def department_replied(data: dict, _: Moment) -> Step:
    reply = "accepted" if data["accepted"] else "objected"
    return Step(entry=timeline_entry("department_replied", data["replied_at"],
                                     department=data["department"]["name"], reply=reply))


def progress_noted(data: dict, _: Moment) -> Step:
    return Step(entry=timeline_entry("progress_noted", data["noted_at"], note=data["note"]))


def mediation_requested(data: dict, moment: Moment) -> Step:
    return Step({"status": IN_PROGRESS},
                timeline_entry("mediation_requested", moment.occurred_at, mediation_kind=data["kind"]))


def escalated(data: dict, _: Moment) -> Step:
    return Step({"status": ESCALATED, "level": data["to_level"], "assigned_agent": None},
                timeline_entry("escalated", data["escalated_at"], from_level=data["from_level"],
                               to_level=data["to_level"], reason=data["reason"]))


def routed_out(data: dict, _: Moment) -> Step:
    guidance = {key: data[key] for key in ("procedure", "organ", "guidance")}
    return Step({"status": ROUTED_OUT, "routed_out": guidance},
                timeline_entry("routed_out", data["routed_at"], procedure=data["procedure"], organ=data["organ"]))


def extended(data: dict, moment: Moment) -> Step:
    due = moment.day(data["handling_due"])
    return Step({"deadlines.handling_due": due},
                timeline_entry("extended", moment.occurred_at, days=data["days"], reason=data["reason"],
                               handling_due=due))


# the timeline entry of an answer, by review round: the first answer, the review's (复查), the re-review's (复核)
CLOSED_ENTRIES = {0: "closed", 1: "review_closed", 2: "re_review_closed"}


def closed(data: dict, _: Moment) -> Step:
    review_round = data.get("review_round") or 0
    answer = {key: data[key] for key in ("outcome", "answer", "legal_basis", "closed_at", "on_time")}
    fields = {"status": CLOSED, "level": data["level"], "answer": {**answer, "review_round": review_round}}
    if review_round >= FINAL_ROUND:
        fields["final"] = True
    return Step(fields, timeline_entry(CLOSED_ENTRIES[review_round], data["closed_at"], level=data["level"],
                                       outcome=data["outcome"]))


def overdue(data: dict, moment: Moment) -> Step:
    return Step(entry=timeline_entry("overdue", data["due_at"], clock=data["clock"],
                                     due_at=moment.minute(data["due_at"])))


STEPS: dict[str, Callable[[dict, Moment], Step]] = {
    "petition.assigned": assigned, "assignment.queued": queued, "assignment.accepted": accepted,
    "assignment.declined": invisible, "petition.contacted": contacted, "petition.verified": verified,
    "petition.forwarded": forwarded, "petition.department_replied": department_replied,
    "petition.progress_noted": progress_noted, "mediation.requested": mediation_requested,
    "assignment.escalated": escalated, "petition.routed_out": routed_out, "assignment.extended": extended,
    "petition.closed": closed, "assignment.due_soon": invisible, "assignment.overdue": overdue,
}
