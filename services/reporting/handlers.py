"""reporting counts every event it receives, once."""
from __future__ import annotations

import logging

from shared import divisions

from . import domain, store

log = logging.getLogger(__name__)


def build(ctx):
    def count(event, data):
        counter = domain.counter_for(event.type)
        ancestors = divisions.ancestors(event.division) or [event.division]
        outcome = store.count(ctx.db, event, counter, domain.local_day(event.occurred_at, ctx.settings.timezone),
                              ancestors)
        log.info("%s counted: %s", event.type, outcome.value)

    return {name: count for name in domain.COUNTERS}
