"""The events intake reacts to: they become the citizen's view of the petition."""
from __future__ import annotations

import logging

from shared.idempotency import Outcome

from . import domain, store

log = logging.getLogger(__name__)


class PetitionNotYetHere(RuntimeError):
    """An event about a petition this store does not have (yet); retried, then dead-lettered."""


def build(ctx):
    def on_assigned(event, data):
        entry = domain.assigned_entry(data["assigned_at"], data["agent"], data["level"])
        outcome = store.apply_assigned(ctx.db, event, data["agent"], data["level"], entry, ctx.clock())
        if outcome is Outcome.MISSING:
            raise PetitionNotYetHere(event.correlation_id)
        log.info("petition.assigned %s", outcome.value)

    return {"petition.assigned": on_assigned}
