"""The events intake reacts to: they become the citizen's view of the petition, and intake's copy of
the agent directory."""
from __future__ import annotations

import logging

from shared.idempotency import Outcome

from . import directory, store
from .progress import STEPS, Moment

log = logging.getLogger(__name__)


class PetitionNotYetHere(RuntimeError):
    """An event about a petition this store does not have (yet); retried, then dead-lettered."""


def build(ctx):
    def on_progress(event, data):
        step = STEPS[event.type](data, Moment(event.occurred_at, ctx.settings.timezone))
        outcome = store.apply_progress(ctx.db, event, step.fields, step.entry, ctx.clock())
        if outcome is Outcome.MISSING:
            raise PetitionNotYetHere(event.correlation_id)
        log.info("%s %s", event.type, outcome.value)

    return {**{name: on_progress for name in STEPS}, **directory.build(ctx)}
