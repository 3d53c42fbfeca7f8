"""Matching a petition to an agent: pure rules, no I/O.

The petitioner's chosen agent when active, in the petition's banner, under capacity and not
excluded (an agent who declined the petition is excluded). Otherwise the best agent of the village,
then of its township, ranked by: speaks the petitioner's language, has the subject as a speciality,
lowest load against capacity, lowest id. Full, inactive and excluded agents never get a petition.
Every match carries the reason a coordinator reads: which rule decided.
"""
from __future__ import annotations

import heapq
from collections import defaultdict
from dataclasses import dataclass
from typing import Callable, Iterable

from shared.events.schemas import LANGUAGES, SUBJECTS

RULES = ("language", "speciality", "load", "tie-break")


@dataclass(frozen=True, slots=True)
class Candidate:
    id: str
    name: str
    kind: str
    division: str
    level: str
    languages: frozenset[str]
    specialities: frozenset[str]
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
class Needs:
    village: str
    language: str = "zh"
    subject: str = "other"
    preferred_agent_id: str | None = None
    exclude: frozenset[str] = frozenset()

    def __post_init__(self):
        if len(self.village) != 12 or not self.village.isdigit():
            raise ValueError(f"not a 12-digit village code: {self.village!r}")
        if self.language not in LANGUAGES or self.subject not in SUBJECTS:
            raise ValueError(f"unknown language {self.language!r} or subject {self.subject!r}")

    @property
    def township(self) -> str:
        return self.village[:9]

    @property
    def banner(self) -> str:
        return self.village[:6]


@dataclass(frozen=True)
class Match:
    agent: Candidate
    level: str
    reason: str


def choose_agent(needs: Needs, candidates: Iterable[Candidate]) -> Match | None:
    candidates = list(candidates)
    preferred, passed_over = _preferred(needs, candidates)
    if preferred is not None:
        return Match(preferred, preferred.level, "chosen by the petitioner")
    for scope, level in ((needs.village, "village"), (needs.township, "township")):
        pool = _pool(candidates, scope, needs.exclude)
        if pool:
            best, decided_by = _best(pool, needs)
            reason = _reason(best, level, decided_by, needs) + passed_over
            return Match(best, level, reason)
    return None


def _pool(candidates: list[Candidate], scope: str, exclude: frozenset[str]) -> list[Candidate]:
    """The scope's agents with room who did not decline (inlined: this loop is the hot path)."""
    return [c for c in candidates
            if c.division == scope and c.active and c.open_cases < c.capacity and c.id not in exclude]


def _preferred(needs: Needs, candidates: list[Candidate]) -> tuple[Candidate | None, str]:
    """The chosen agent when they fit, else why they were passed over (a reason suffix)."""
    if not needs.preferred_agent_id:
        return None, ""
    chosen = next((c for c in candidates if c.id == needs.preferred_agent_id), None)
    if chosen is None:
        return None, "; the chosen agent is unknown"
    why_not = _why_not(chosen, needs)
    return (None, f"; the chosen agent {why_not}") if why_not else (chosen, "")


def _why_not(chosen: Candidate, needs: Needs) -> str:
    if chosen.id in needs.exclude:
        return "declined this petition"
    if not chosen.active:
        return "is inactive"
    if not chosen.has_room:
        return f"is full ({chosen.open_cases}/{chosen.capacity})"
    if chosen.division[:6] != needs.banner:
        return "is of another banner"
    return ""


def _ranking(needs: Needs) -> Callable[[Candidate], tuple]:
    """Lower is better, in the order of RULES; pool members have room, so capacity > 0."""
    language, subject = needs.language, needs.subject
    return lambda c: (language not in c.languages, subject not in c.specialities, c.open_cases / c.capacity, c.id)


def _best(pool: list[Candidate], needs: Needs) -> tuple[Candidate, str | None]:
    """The best of the pool and the rule that set it apart from the runner-up (None: it was alone)."""
    if len(pool) == 1:
        return pool[0], None
    rank = _ranking(needs)
    best, runner_up = heapq.nsmallest(2, pool, key=rank)
    decided_by = next((rule for rule, a, b in zip(RULES, rank(best), rank(runner_up)) if a != b), "tie-break")
    return best, decided_by


def _reason(best: Candidate, level: str, decided_by: str | None, needs: Needs) -> str:
    load = f"{best.open_cases}/{best.capacity}"
    reason = {
        None: f"the only {level} agent with room (load {load})",
        "language": f"{level} agent speaking {needs.language} (load {load})",
        "speciality": f"{level} agent specialised in {needs.subject} (load {load})",
        "load": f"{level} agent with the lowest load ({load})",
        "tie-break": f"{level} agent with the lowest load ({load}), tie broken by id",
    }[decided_by]
    if level == "township":
        reason = f"no village agent with room; {reason}"
    if needs.language not in best.languages:
        reason += f"; no {level} agent with room speaks {needs.language}"
    return reason


class AgentIndex:
    """Candidates in memory, by id and by division, for matching without a store round trip."""

    def __init__(self, candidates: Iterable[Candidate] = ()):
        self._by_id: dict[str, Candidate] = {}
        self._by_division: dict[str, dict[str, Candidate]] = defaultdict(dict)
        for candidate in candidates:
            self.add(candidate)

    def __len__(self) -> int:
        return len(self._by_id)

    def get(self, agent_id: str) -> Candidate | None:
        return self._by_id.get(agent_id)

    def add(self, candidate: Candidate) -> None:
        """Add, or replace the candidate of that id (wherever it was)."""
        self.remove(candidate.id)
        self._by_id[candidate.id] = candidate
        self._by_division[candidate.division][candidate.id] = candidate

    def update(self, candidate: Candidate) -> None:
        if candidate.id not in self._by_id:
            raise KeyError(candidate.id)
        self.add(candidate)

    def remove(self, agent_id: str) -> None:
        old = self._by_id.pop(agent_id, None)
        if old is not None:
            self._by_division[old.division].pop(agent_id, None)

    def candidates_for(self, village: str, preferred_id: str | None = None) -> list[Candidate]:
        """The village's and its township's agents, and the chosen agent wherever they are."""
        found = [*self._by_division.get(village, {}).values(), *self._by_division.get(village[:9], {}).values()]
        preferred = self._by_id.get(preferred_id) if preferred_id else None
        if preferred is not None and preferred.division not in (village, village[:9]):
            found.append(preferred)
        return found
