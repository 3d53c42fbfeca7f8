"""intake's copy of the agent directory: each agent's public profile, kept from assignment's agent
events in their order (issue 3 serves it to petitioners choosing their own agent)."""
from __future__ import annotations

import logging

from shared.idempotency import Outcome

from . import directory_store

log = logging.getLogger(__name__)

PROFILE_FIELDS = ("name", "kind", "division", "level", "languages", "specialities", "capacity", "active",
                  "synthetic")


class AgentNotYetHere(RuntimeError):
    """A deactivation of an agent this copy does not have (yet); retried, then dead-lettered."""


def profile(data: dict) -> dict:
    return {key: data[key] for key in PROFILE_FIELDS}


def build(ctx) -> dict:
    def on_profile(event, data):
        outcome = directory_store.upsert_profile(ctx.db, event, data["agent_id"], profile(data), ctx.clock())
        log.info("%s %s", event.type, outcome.value)

    def on_deactivated(event, data):
        outcome = directory_store.deactivate(ctx.db, event, data["agent_id"], ctx.clock())
        if outcome is Outcome.MISSING:
            raise AgentNotYetHere(data["agent_id"])
        log.info("%s %s", event.type, outcome.value)

    return {"agent.registered": on_profile, "agent.updated": on_profile, "agent.deactivated": on_deactivated}
