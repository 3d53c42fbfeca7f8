"""Who may act on an assignment. Agents act only on what they hold; coordinators only within their
division and at or below the level their division sits at; admins anywhere."""
from __future__ import annotations

from shared.http import Problem, field_error
from shared.http.auth import Principal

RANK = {"village": 0, "township": 1, "banner": 2, "league": 3}


def scope_level(division: str) -> str:
    if len(division) == 12:
        return "village"
    if len(division) == 9:
        return "township"
    return "league" if division.endswith("00") else "banner"


def may_see(principal: Principal, doc: dict) -> bool:
    if principal.role == "admin":
        return principal.covers(doc["division"])
    if principal.role == "agent":
        return _holds(principal, doc) or principal.sub in doc.get("declined_by", [])
    return principal.role == "coordinator" and principal.covers(doc["division"])


def require_holder(principal: Principal, doc: dict) -> None:
    """The agent or coordinator who holds the petition (or an admin in scope)."""
    if principal.role == "admin" and principal.covers(doc["division"]):
        return
    if not _holds(principal, doc):
        raise Problem(403, "not-holder", "only the agent or coordinator holding this petition may do this",
                      errors=[field_error("petition_id", "held by someone else")])


def require_coordinator(principal: Principal, doc: dict) -> None:
    if principal.role == "admin" and principal.covers(doc["division"]):
        return
    if principal.role != "coordinator" or not principal.covers(doc["division"]):
        raise Problem(403, "out-of-scope", "only a coordinator of this division may do this",
                      errors=[field_error("petition_id", "outside your division")])
    if RANK[scope_level(principal.division)] < RANK[doc["level"]]:
        raise Problem(403, "out-of-scope", f"the petition is at {doc['level']} level, above your division",
                      errors=[field_error("level", "above your division")])


def _holds(principal: Principal, doc: dict) -> bool:
    holder = doc.get("holder")
    return bool(holder) and holder["id"] == principal.sub and holder["kind"] == principal.role
