"""The statutory and local clocks of one petition. Pure Python: a clock is a plain dict so it is
stored as it is inside the assignment document (restarts lose nothing).

| clock                 | starts                     | limit                                   | stops            |
|-----------------------|----------------------------|-----------------------------------------|------------------|
| receipt_notice        | receipt                    | 15 days (条例 22, 23)                    | acceptance       |
| first_contact         | each (re)assignment        | local: 24 hours by default              | first contact    |
| handling              | acceptance                 | 60 days (条例 34), +≤30 once, with reason | closure          |
| village_closure       | assignment at village level| local: 15 days by default               | closure, escalation |
| department_objection  | forward to a department    | 5 working days (条例 23)                 | department reply |
| review_answer         | review / re-review request | 30 days (条例 35, 36)                    | closure          |
"""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

RECEIPT_NOTICE_DAYS = 15
HANDLING_DAYS = 60
MAX_EXTENSION_DAYS = 30
OBJECTION_WORKING_DAYS = 5
REVIEW_ANSWER_DAYS = 30

DUE_SOON, OVERDUE = "due_soon", "overdue"


def start(started_at: datetime, due_at: datetime, warn_fraction: float) -> dict:
    return {"started_at": started_at, "due_at": due_at, "warn_at": started_at + (due_at - started_at) * warn_fraction,
            "warned": False, "overdue": False, "stopped_at": None}


def stop(clock: dict, at: datetime) -> dict:
    return {**clock, "stopped_at": at}


def extend(clock: dict, days: int, warn_fraction: float) -> dict:
    due = clock["due_at"] + timedelta(days=days)
    warn = clock["started_at"] + (due - clock["started_at"]) * warn_fraction
    return {**clock, "due_at": due, "warn_at": warn, "warned": clock["warned"] and warn <= clock["warn_at"]}


def running(clock: dict | None) -> bool:
    return clock is not None and clock.get("stopped_at") is None


def add_working_days(start_at: datetime, days: int, zone: str) -> datetime:
    """Monday to Friday in local time (public holidays are not modelled yet)."""
    local = start_at.astimezone(ZoneInfo(zone))
    added = 0
    while added < days:
        local += timedelta(days=1)
        if local.weekday() < 5:
            added += 1
    return local


def pending_alerts(clocks: dict, now: datetime) -> list[tuple[str, str]]:
    """(clock name, due_soon|overdue) for each alert that is due and not yet raised."""
    alerts = []
    for name, clock in sorted(clocks.items()):
        if not running(clock):
            continue
        if not clock["overdue"] and clock["due_at"] <= now:
            alerts.append((name, OVERDUE))
        elif not clock["warned"] and clock["warn_at"] <= now:
            alerts.append((name, DUE_SOON))
    return alerts


def next_check(clocks: dict) -> datetime | None:
    """When the scheduler must next look at this petition (None: no running clock left to alert)."""
    times = []
    for clock in clocks.values():
        if running(clock):
            if not clock["warned"]:
                times.append(clock["warn_at"])
            elif not clock["overdue"]:
                times.append(clock["due_at"])
    return min(times, default=None)


def raise_alert(clock: dict, kind: str) -> dict:
    # an overdue clock has no use for a later warning
    return {**clock, "overdue": True, "warned": True} if kind == OVERDUE else {**clock, "warned": True}
