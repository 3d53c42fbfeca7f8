"""Which counters an event moves, on which day, and the rates read from them. Pure Python."""
from __future__ import annotations

from datetime import datetime
from typing import Callable
from zoneinfo import ZoneInfo

COUNTERS = {
    "submitted": "petitions received", "review_requested": "reviews (复查) and re-reviews (复核) asked for",
    "assigned": "assignments to an agent (reassignments included)",
    "queued": "petitions put in a coordinator's queue", "accepted": "petitions accepted by their agent",
    "declined": "petitions an agent declined", "contacted": "first contacts made",
    "verified": "petitions verified", "forwarded": "forwards to a responsible department",
    "department_objected": "department replies objecting that the matter is not their remit",
    "mediation_requested": "mediations and consultations asked for",
    "escalated": "escalations to the level above",
    "escalated_to_banner": "escalations to banner level (矛盾上交)",
    "routed_out": "matters routed out to a legal procedure (诉访分离)",
    "extended": "handling limits extended", "closed": "petitions closed",
    "closed_village": "closed at village level", "closed_township": "closed at township level",
    "closed_banner": "closed at banner level", "closed_on_time": "closed within their limit",
    "due_soon": "clock warnings", "overdue": "clocks that ran out",
}

RATES = {
    "closure_rate": "办结率: closed ÷ submitted; null when nothing was submitted. Both are counted on the day "
                    "they happened, so over a short period petitions received earlier can take it above 1",
    "on_time_rate": "及时办结率: closed_on_time ÷ closed; null when nothing was closed",
    "grassroots_rate": "化解在基层率: (closed_village + closed_township) ÷ closed; null when nothing was closed",
    "escalation_to_banner_rate": "矛盾上交 (the opposite figure to 化解在基层): escalated_to_banner ÷ submitted; "
                                 "null when nothing was submitted",
}

SIMPLE = {
    "petition.submitted": "submitted", "petition.review_requested": "review_requested",
    "petition.assigned": "assigned", "assignment.queued": "queued", "assignment.accepted": "accepted",
    "assignment.declined": "declined", "petition.contacted": "contacted", "petition.verified": "verified",
    "petition.forwarded": "forwarded", "mediation.requested": "mediation_requested",
    "petition.routed_out": "routed_out", "assignment.extended": "extended",
    "assignment.due_soon": "due_soon", "assignment.overdue": "overdue",
}


def _just(counter: str) -> Callable[[dict], tuple[str, ...]]:
    return lambda _: (counter,)


def _department_replied(data: dict) -> tuple[str, ...]:
    return () if data["accepted"] else ("department_objected",)


def _escalated(data: dict) -> tuple[str, ...]:
    return ("escalated",) + (("escalated_to_banner",) if data["to_level"] == "banner" else ())


def _closed(data: dict) -> tuple[str, ...]:
    return ("closed", f"closed_{data['level']}") + (("closed_on_time",) if data["on_time"] else ())


RULES: dict[str, Callable[[dict], tuple[str, ...]]] = {
    **{name: _just(counter) for name, counter in SIMPLE.items()},
    "petition.department_replied": _department_replied,
    "assignment.escalated": _escalated,
    "petition.closed": _closed,
}


def counters_for(event_type: str, data: dict) -> tuple[str, ...]:
    """The counters one event moves (none for a type reporting does not count)."""
    rule = RULES.get(event_type)
    return rule(data) if rule else ()


def local_day(at: datetime, zone: str) -> str:
    return at.astimezone(ZoneInfo(zone)).date().isoformat()


def empty_summary() -> dict:
    return {name: 0 for name in COUNTERS}


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def rates(totals: dict) -> dict:
    closed, submitted = totals["closed"], totals["submitted"]
    return {"closure_rate": _ratio(closed, submitted),
            "on_time_rate": _ratio(totals["closed_on_time"], closed),
            "grassroots_rate": _ratio(totals["closed_village"] + totals["closed_township"], closed),
            "escalation_to_banner_rate": _ratio(totals["escalated_to_banner"], submitted)}
