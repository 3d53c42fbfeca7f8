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
    "closed_banner": "closed at banner level", "closed_league": "closed at league level",
    "closed_on_time": "closed within their limit",
    "due_soon": "clock warnings", "overdue": "clocks that ran out",
    "re_review_requested": "re-reviews (复核) asked for (also counted in review_requested)",
    "rated": "ratings given by petitioners (valid follow-ups, 有效回访)",
    "satisfied": "ratings 'satisfied' (满意)", "basically_satisfied": "ratings 'basically satisfied' (基本满意)",
    "dissatisfied": "ratings 'dissatisfied' (不满意)",
    "solved": "ratings saying the matter was solved",
    "contacted_by_petitioner": "ratings saying the agent contacted the petitioner",
}

RATES = {
    "closure_rate": "办结率: closed ÷ submitted; null when nothing was submitted. Both are counted on the day "
                    "they happened, so over a short period petitions received earlier can take it above 1",
    "on_time_rate": "及时办结率: closed_on_time ÷ closed; null when nothing was closed",
    "grassroots_rate": "化解在基层率: (closed_village + closed_township) ÷ closed; null when nothing was closed",
    "escalation_to_banner_rate": "矛盾上交 (the opposite figure to 化解在基层): escalated_to_banner ÷ submitted; "
                                 "null when nothing was submitted",
    "response_rate": "响应率 (接诉即办): contacted_by_petitioner ÷ rated; null when nothing was rated",
    "resolution_rate": "解决率 (接诉即办): solved ÷ rated; null when nothing was rated",
    "satisfaction_rate": "满意率 (接诉即办): (satisfied + w × basically_satisfied) ÷ rated, w the setting "
                         "DAIBAN_BASIC_SATISFACTION_WEIGHT (default 0.9); null when nothing was rated",
    "combined_score": "综合成绩 (接诉即办): the three rates above weighted by DAIBAN_HOTLINE_WEIGHTS (default "
                      "10% response, 50% resolution, 40% satisfaction), from 0 to 1; null when nothing was rated",
}
LEAGUE_RATES = ("closure_rate", "on_time_rate", "grassroots_rate", "escalation_to_banner_rate")
HOTLINE_RATES = ("response_rate", "resolution_rate", "satisfaction_rate", "combined_score")

SIMPLE = {
    "petition.submitted": "submitted",
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


def _review_requested(data: dict) -> tuple[str, ...]:
    return ("review_requested",) + (("re_review_requested",) if data["kind"] == "re_review" else ())


def _rated(data: dict) -> tuple[str, ...]:
    return (("rated", data["satisfaction"]) + (("solved",) if data["solved"] else ())
            + (("contacted_by_petitioner",) if data["contacted"] else ()))


RULES: dict[str, Callable[[dict], tuple[str, ...]]] = {
    **{name: _just(counter) for name, counter in SIMPLE.items()},
    "petition.review_requested": _review_requested,
    "petition.department_replied": _department_replied,
    "assignment.escalated": _escalated,
    "petition.closed": _closed,
    "petition.rated": _rated,
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
    """The league's rates (LEAGUE_RATES)."""
    closed, submitted = totals["closed"], totals["submitted"]
    return {"closure_rate": _ratio(closed, submitted),
            "on_time_rate": _ratio(totals["closed_on_time"], closed),
            "grassroots_rate": _ratio(totals["closed_village"] + totals["closed_township"], closed),
            "escalation_to_banner_rate": _ratio(totals["escalated_to_banner"], submitted)}


def hotline_rates(totals: dict, basic_weight: float, weights: tuple[float, float, float]) -> dict:
    """The hotline evaluation (接诉即办, HOTLINE_RATES) over the ratings given: response, resolution and
    satisfaction, each 0 to 1, and their weighted combination; all null when nothing was rated."""
    rated = totals["rated"]
    if not rated:
        return {name: None for name in HOTLINE_RATES}
    response = totals["contacted_by_petitioner"] / rated
    resolution = totals["solved"] / rated
    satisfaction = (totals["satisfied"] + basic_weight * totals["basically_satisfied"]) / rated
    combined = weights[0] * response + weights[1] * resolution + weights[2] * satisfaction
    return {"response_rate": round(response, 4), "resolution_rate": round(resolution, 4),
            "satisfaction_rate": round(satisfaction, 4), "combined_score": round(combined, 4)}


def all_rates(totals: dict, settings) -> dict:
    """Every rate of the summary, the hotline's weighted as ``settings`` say."""
    return {**rates(totals),
            **hotline_rates(totals, settings.basic_satisfaction_weight, settings.hotline_weights)}
