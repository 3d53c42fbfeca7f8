"""Which counter an event moves, and on which day. Pure Python."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

COUNTERS = {
    "petition.submitted": "submitted",
    "petition.assigned": "assigned",
    "mediation.requested": "mediation_requested",
}


def counter_for(event_type: str) -> str | None:
    return COUNTERS.get(event_type)


def local_day(at: datetime, zone: str) -> str:
    return at.astimezone(ZoneInfo(zone)).date().isoformat()


def empty_summary() -> dict:
    return {name: 0 for name in COUNTERS.values()}
