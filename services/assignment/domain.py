"""Matching a petition to an agent: pure rules, no I/O.

Order of preference: the petitioner's chosen agent (active, same banner, under capacity); else an
agent of the petition's village, then of its township; among those, lowest load against capacity,
then a deterministic tie-break by id. Language and speciality matching come with the assignment
issue; the reason for every choice is kept for coordinators.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Candidate:
    id: str
    name: str
    division: str
    level: str
    capacity: int
    active: bool
    open_cases: int

    @property
    def load(self) -> float:
        return self.open_cases / self.capacity if self.capacity else float("inf")

    @property
    def has_room(self) -> bool:
        return self.active and self.open_cases < self.capacity


@dataclass(frozen=True)
class Match:
    agent: Candidate
    level: str
    reason: str


def choose_agent(village: str, candidates: list[Candidate], preferred_id: str | None = None) -> Match | None:
    preferred = next((c for c in candidates if c.id == preferred_id), None)
    if preferred and preferred.has_room and preferred.division[:6] == village[:6]:
        return Match(preferred, preferred.level, "chosen by the petitioner")
    township = village[:9]
    for scope, level in ((village, "village"), (township, "township")):
        pool = [c for c in candidates if c.division == scope and c.has_room]
        if pool:
            best = min(pool, key=lambda c: (c.load, c.id))
            why = f"{level} agent with the lowest load ({best.open_cases}/{best.capacity})"
            if preferred_id and not preferred:
                why += "; the chosen agent is unknown"
            elif preferred_id:
                why += "; the chosen agent is inactive, full or of another banner"
            return Match(best, level, why)
    return None


def first_contact_due(assigned_at: datetime, hours: int) -> datetime:
    return assigned_at + timedelta(hours=hours)
