"""reporting counts every event it receives, once."""
from __future__ import annotations

import logging

from shared import divisions

from . import domain, store

log = logging.getLogger(__name__)


def build(ctx):
    def count(event, data):
        counters = domain.counters_for(event.type, data)
        if not counters:
            log.info("%s moves no counter", event.type)
            return
        ancestors = divisions.ancestors(event.division) or [event.division]
        outcome = store.count(ctx.db, event, counters, domain.local_day(event.occurred_at, ctx.settings.timezone),
                              ancestors)
        log.info("%s counted: %s", event.type, outcome.value)

    return {name: count for name in domain.RULES}
