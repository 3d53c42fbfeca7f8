"""The clock scheduler: raises ``assignment.due_soon`` and ``assignment.overdue`` exactly once per clock
and deadline. The clocks live in the assignment documents, so a restart loses nothing; the update
that raises an alert is guarded by the document's version, so two schedulers never raise it twice.
Tests call ``tick(now)`` with an injected time, never sleep.
"""
from __future__ import annotations

import logging

from shared.background import BackgroundLoop

from . import clocks, service, store, workflow

log = logging.getLogger(__name__)


def tick(ctx, now=None) -> int:
    """One pass: raise every alert that is due at ``now``. Returns how many were raised."""
    now = now or ctx.clock()
    raised = 0
    for doc in store.due_for_check(ctx.db, now, ctx.settings.banners):
        for name, kind in clocks.pending_alerts(doc["clocks"], now):
            try:
                doc = service.commit(ctx, doc, workflow.alert(doc, name, kind, now), "scheduler", None)
                raised += 1
            except service.Conflict:
                log.info("clock alert skipped: the assignment changed meanwhile; next pass retries")
                break
    return raised


class Scheduler(BackgroundLoop):
    def __init__(self, ctx):
        super().__init__("clock-scheduler")
        self._ctx = ctx

    def _run(self) -> None:
        while True:  # a first pass at start: what fell due while nothing ran is raised at once
            try:
                tick(self._ctx)
            except Exception:
                log.exception("clock scheduler pass failed")
            if self._stop.wait(self._ctx.settings.clock_interval):
                return
