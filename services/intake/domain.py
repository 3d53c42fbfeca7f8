"""The petition as the citizen sees it: its number, its statutory dates, its states and timeline.
Pure Python: no Flask, no pymongo, no kombu."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

RECEIPT_NOTICE_DAYS = 15   # 信访工作条例 第二十二、二十三条
HANDLING_DAYS = 60         # 第三十四条, counted from acceptance

SUBMITTED = "submitted"
ASSIGNED = "assigned"
ONLINE_CHANNELS = ("mini_program", "web")


@dataclass(frozen=True)
class StatutoryDates:
    receipt_notice_due: date
    handling_due: date


def statutory_dates(received_at: datetime, zone: str) -> StatutoryDates:
    """Calendar days in local time. Acceptance happens at the latest when the receipt notice is due,
    so handling is due at the latest 60 days after that; it is recomputed on acceptance."""
    received_on = received_at.astimezone(ZoneInfo(zone)).date()
    notice = received_on + timedelta(days=RECEIPT_NOTICE_DAYS)
    return StatutoryDates(receipt_notice_due=notice, handling_due=notice + timedelta(days=HANDLING_DAYS))


def local_day(at: datetime, zone: str) -> str:
    return at.astimezone(ZoneInfo(zone)).strftime("%Y%m%d")


def petition_number(banner: str, received_at: datetime, zone: str, serial: int) -> str:
    return f"{banner}-{local_day(received_at, zone)}-{serial:05d}"


def new_petition_id() -> str:
    return f"pet-{uuid.uuid4().hex}"


def fingerprint(body: dict) -> str:
    """Same request body, same fingerprint (for Idempotency-Key checks): the shared one, imported here so
    this module stays free of Flask."""
    from shared.http.idempotency import fingerprint as shared_fingerprint
    return shared_fingerprint(body)


def timeline_entry(kind: str, at: datetime, **params) -> dict:
    return {"kind": kind, "at": at, "params": params}


def received_entries(received_at: datetime, dates: StatutoryDates) -> list[dict]:
    return [timeline_entry("received", received_at),
            timeline_entry("receipt_notice", received_at, receipt_notice_due=dates.receipt_notice_due.isoformat(),
                           handling_due=dates.handling_due.isoformat())]


def assigned_entry(at: datetime, agent: dict, level: str) -> dict:
    return timeline_entry("assigned", at, agent_name=agent["name"], level=level)
