"""Who may read a petition and its attachments: the petitioner, the agent holding it, and handling
staff of its division. Accusations (检举控告类) stay away from staff of the accused unit: that rule
needs the unit, which the petition does not record yet."""
from __future__ import annotations

from shared.http.auth import Principal
from shared.privacy import subject_ref

HANDLING_STAFF = ("coordinator", "admin", "mediator")


def is_petitioner(settings, principal: Principal, petition: dict) -> bool:
    return principal.role == "petitioner" and petition["petitioner_ref"] == subject_ref(settings, principal.sub)


def is_holding_agent(principal: Principal, petition: dict) -> bool:
    agent = petition.get("assigned_agent") or {}
    return principal.role in ("agent", "coordinator") and agent.get("id") == principal.sub


def may_read(settings, principal: Principal, petition: dict) -> bool:
    if is_petitioner(settings, principal, petition) or is_holding_agent(principal, petition):
        return True
    if principal.role == "agent" and petition.get("entered_by") == principal.sub:
        return True
    return principal.role in HANDLING_STAFF and principal.covers(petition["division"])
