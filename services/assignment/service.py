"""The application layer of assignment: load, decide (workflow), store with a version check, emit.

Every change is one single-document update of the assignment, guarded by its version, carrying its
events in the document's outbox, numbered in the petition's stream (``sequence``) so consumers apply
them in order.
"""
from __future__ import annotations

from shared import divisions
from shared.events import new_event
from shared.outbox import with_events

from . import agents_store, matching, store, workflow


class Conflict(Exception):
    """Someone else changed the assignment first; reload and try again."""


class NotFound(Exception):
    pass


def policy_for(settings, division: str) -> workflow.Policy:
    banner = division[:6]
    return workflow.Policy(zone=settings.timezone, warn_fraction=settings.due_soon_fraction,
                           first_contact_hours=settings.local_sla(banner, "first_contact_hours"),
                           village_closure_days=settings.local_sla(banner, "village_closure_days"))


def load(ctx, petition_id: str) -> dict:
    doc = store.get(ctx.db, petition_id)
    if doc is None:
        raise NotFound(petition_id)
    return doc


def commit(ctx, doc: dict, step: workflow.Step, actor: str, causation_id: str | None) -> dict:
    events = _events(doc, step, causation_id)
    now = ctx.clock()
    update = with_events({"$set": {**step.changes, "seq": doc["seq"] + len(events), "updated_at": now},
                          "$push": {"history": {"at": now, "by": actor, "action": step.action}}}, events)
    if not store.update_versioned(ctx.db, doc["_id"], doc["version"], update):
        raise Conflict(doc["_id"])
    ctx.nudge_relay(store.ASSIGNMENTS, doc["_id"])
    return store.get(ctx.db, doc["_id"])


def _events(doc: dict, step: workflow.Step, causation_id: str | None) -> list:
    return [new_event(name, data, division=doc["division"], correlation_id=doc["_id"], causation_id=causation_id,
                      sequence=doc["seq"] + i) for i, (name, data) in enumerate(step.events, start=1)]


def open_for(ctx, petition: dict, causation_id: str) -> bool:
    """A new petition: open its assignment and match it in one insert. False if it already exists."""
    now = ctx.clock()
    policy = policy_for(ctx.settings, petition["division"])
    doc = {**workflow.new_assignment(petition, now, policy), "opened_by": causation_id}
    step = match_step(ctx, doc, now, policy)
    doc = {**doc, **step.changes}
    events = _events(doc, step, causation_id)
    created = store.insert_assignment(ctx.db, {**doc, "seq": len(events)}, events)
    if created:
        ctx.nudge_relay(store.ASSIGNMENTS, doc["_id"])
    return created


def match_step(ctx, doc: dict, now, policy: workflow.Policy) -> workflow.Step:
    """Assign the best agent at the petition's level, or queue it for the coordinator."""
    level = doc["level"]
    if level in ("village", "township"):
        candidates = agents_store.candidates(ctx.db, doc["division"], doc.get("preferred_agent_id"),
                                             open_cases=lambda ids: store.open_cases(ctx.db, ids))
        if level == "township":
            candidates = [c for c in candidates if c.division == doc["division"][:9]]
        needs = matching.Needs(village=doc["division"], language=doc.get("language") or "zh",
                               subject=doc.get("subject") or "other",
                               preferred_agent_id=doc.get("preferred_agent_id"),
                               exclude=frozenset(doc["declined_by"]))
        match = matching.choose_agent(needs, candidates)
        if match is not None:
            agent = {"id": match.agent.id, "name": match.agent.name, "division": match.agent.division}
            return workflow.assign(doc, agent, match.level, match.reason, now, policy)
    place = divisions.get(doc["division"][:9]) if level != "banner" else divisions.get(doc["division"][:6])
    where = place.name if place else doc["division"]
    return workflow.queue(doc, "township" if level == "village" else level,
                          f"no active agent with room; waiting for the coordinator of {where}", now)
