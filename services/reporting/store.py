"""reporting's read model: one counter document per village and day, with the village's ancestors
so any division's figures are one indexed aggregation (village → township → banner → league)."""
from __future__ import annotations

from typing import Iterable

from pymongo import ASCENDING, IndexModel

from shared.events import Event
from shared.idempotency import Outcome, apply_once

from .domain import COUNTERS, empty_summary

DAILY = "daily_counters"

INDEXES = {DAILY: [IndexModel([("ancestors", ASCENDING), ("day", ASCENDING)])]}


def count(db, event: Event, counters: str | Iterable[str], day: str, ancestors: list[str]) -> Outcome:
    """Every counter the event moves, in one guarded update of its village's day."""
    names = (counters,) if isinstance(counters, str) else tuple(counters)
    doc_id = f"{event.division}:{day}"
    return apply_once(db[DAILY], {"_id": doc_id},
                      {"$inc": {f"counts.{name}": 1 for name in names},
                       "$setOnInsert": {"division": event.division, "day": day, "ancestors": ancestors}},
                      event, upsert=True)


def summary(db, division: str, day_from: str | None, day_to: str | None) -> dict:
    match: dict = {"ancestors": division}
    if day_from or day_to:
        match["day"] = {**({"$gte": day_from} if day_from else {}), **({"$lte": day_to} if day_to else {})}
    group = {"_id": None, **{name: {"$sum": f"$counts.{name}"} for name in COUNTERS}}
    rows = list(db[DAILY].aggregate([{"$match": match}, {"$group": group}]))
    totals = empty_summary()
    if rows:
        totals.update({k: v for k, v in rows[0].items() if k != "_id"})
    return totals
