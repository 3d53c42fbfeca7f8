"""assignment reacts to new petitions by giving each one an agent."""
from __future__ import annotations

import logging

from shared.events import new_event

from . import domain, store

log = logging.getLogger(__name__)


def build(ctx):
    def on_submitted(event, data):
        village = event.division
        match = domain.choose_agent(village, store.candidates(ctx.db, village, data["preferred_agent_id"]),
                                    data["preferred_agent_id"])
        now = ctx.clock()
        assignment = {"_id": data["petition_id"], "petition_number": data["number"], "division": village,
                      "category": data["category"], "petitioner_ref": data["petitioner_ref"],
                      "received_at": data["received_at"], "assigned_at": now, "causation_id": event.id}
        events = []
        if match is None:
            assignment.update(status="awaiting_coordinator", agent_id=None, level="township",
                              reason="no active agent with room in the village or its township")
        else:
            due = domain.first_contact_due(now, ctx.settings.first_contact_hours)
            agent = {"id": match.agent.id, "name": match.agent.name, "division": match.agent.division}
            assignment.update(status="assigned", agent_id=match.agent.id, agent=agent, level=match.level,
                              reason=match.reason, first_contact_due=due)
            events.append(new_event("petition.assigned", {
                "petition_id": data["petition_id"], "agent": agent, "level": match.level,
                "reason": match.reason, "petitioner_ref": data["petitioner_ref"], "assigned_at": now,
                "first_contact_due": due,
            }, division=village, correlation_id=event.correlation_id, causation_id=event.id))
        if store.insert_assignment(ctx.db, assignment, events):
            ctx.nudge_relay()
            log.info("petition %s: %s", assignment["status"], assignment["reason"])
        else:
            log.info("petition.submitted already handled")

    return {"petition.submitted": on_submitted}
