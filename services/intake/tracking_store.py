"""Counting tracking look-ups per client and per petition number, in the store so every process of
the service shares the count (a guesser cannot spread attempts over workers)."""
from __future__ import annotations

from datetime import datetime, timedelta

from pymongo import ASCENDING, IndexModel, ReturnDocument

ATTEMPTS = "tracking_attempts"

INDEXES = {ATTEMPTS: [IndexModel([("expires_at", ASCENDING)], expireAfterSeconds=0)]}


def count_attempt(db, key: str, now: datetime, window: int) -> int:
    """Record one look-up under ``key`` in the current window; returns the window's count so far."""
    start = int(now.timestamp()) // window * window
    doc = db[ATTEMPTS].find_one_and_update(
        {"_id": f"{key}:{start}"},
        {"$inc": {"n": 1}, "$setOnInsert": {"expires_at": now + timedelta(seconds=window)}},
        upsert=True, return_document=ReturnDocument.AFTER)
    return doc["n"] if doc else 1  # a TTL sweep may remove the counter between the write and the read


def seconds_left(now: datetime, window: int) -> int:
    return window - int(now.timestamp()) % window
