"""The outbox relay: publishes the events stored in aggregates' outboxes, with confirms, and removes
each one only after the broker confirmed it. A broker outage or a crash only delays events: anything
not confirmed stays in its outbox and is published on a later pass (consumers drop the duplicates a
crash between confirm and removal can cause).

Several relays may run against one database (API workers and consumer workers): a short lease on
each document keeps them from publishing the same outbox at the same time.
"""
from __future__ import annotations

import logging
import threading
import uuid
from datetime import timedelta
from typing import Iterable

from . import outbox
from .bus.publisher import Publisher, PublishFailed
from .events import utcnow
from .metrics import ServiceMetrics

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=30)
MAX_BACKOFF = 5.0


class OutboxRelay:
    def __init__(self, db, collections: Iterable[str], publisher: Publisher, metrics: ServiceMetrics,
                 interval: float = 0.05):
        self._db = db
        self._collections = tuple(collections)
        self._publisher = publisher
        self._metrics = metrics
        self._interval = interval
        self._owner = uuid.uuid4().hex
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def nudge(self) -> None:
        """Publish soon: a request just stored events."""
        self._wake.set()

    def start(self) -> None:
        if self._thread is None and self._collections:
            self._thread = threading.Thread(target=self._run, name=f"relay-{self._metrics.service}",
                                            daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        backoff = self._interval
        while not self._stop.is_set():
            try:
                self.flush()
                backoff = self._interval
            except PublishFailed as exc:
                self._metrics.publish_failures.labels(self._metrics.service).inc()
                log.warning("outbox relay: broker unavailable, retrying", extra={"error": str(exc)})
                backoff = min(MAX_BACKOFF, max(backoff * 2, 0.2))
            except Exception:
                log.exception("outbox relay pass failed")
                backoff = min(MAX_BACKOFF, max(backoff * 2, 0.2))
            self._publisher.heartbeat()
            self._wake.wait(backoff)
            self._wake.clear()

    def flush(self) -> int:
        """One pass over every outbox; returns how many events were published."""
        published = 0
        for name in self._collections:
            collection = self._db[name]
            for doc in outbox.pending(collection):
                if self._claim(collection, doc["_id"]):
                    published += self._publish_document(collection, doc)
        self._metrics.outbox_backlog.labels(self._metrics.service).set(self.backlog())
        return published

    def backlog(self) -> int:
        return sum(outbox.backlog(self._db[name]) for name in self._collections)

    def _claim(self, collection, doc_id) -> bool:
        now = utcnow()
        result = collection.update_one(
            {"_id": doc_id, "$or": [{"outbox_lease.until": {"$exists": False}},
                                     {"outbox_lease.until": {"$lt": now}},
                                     {"outbox_lease.owner": self._owner}]},
            {"$set": {"outbox_lease": {"owner": self._owner, "until": now + LEASE}}})
        return result.matched_count == 1

    def _publish_document(self, collection, doc) -> int:
        fresh = collection.find_one({"_id": doc["_id"]}, {outbox.OUTBOX: 1}) or {}
        count = 0
        for message in fresh.get(outbox.OUTBOX, []):
            self._publisher.publish_event(message)
            outbox.mark_published(collection, doc["_id"], message["id"])
            self._metrics.events_published.labels(self._metrics.service, message["type"]).inc()
            count += 1
        collection.update_one({"_id": doc["_id"], "outbox_lease.owner": self._owner},
                              {"$unset": {"outbox_lease": ""}})
        return count
