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
import time
import uuid
from datetime import timedelta
from typing import Iterable

from pymongo import ReturnDocument

from . import outbox
from .background import BackgroundLoop
from .bus.publisher import Publisher, PublishFailed
from .events import utcnow
from .metrics import ServiceMetrics

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=30)
MAX_DOCUMENTS_PER_PASS = 500
SCAN_EVERY = 2.0  # seconds between full outbox scans; hinted documents go at once
BACKLOG_EVERY = 5.0  # seconds between backlog gauge updates (a full count)
MAX_BACKOFF = 5.0


class OutboxRelay(BackgroundLoop):
    def __init__(self, db, collections: Iterable[str], publisher: Publisher, metrics: ServiceMetrics,
                 interval: float = 0.05):
        super().__init__(f"relay-{metrics.service}")
        self._db = db
        self._collections = tuple(collections)
        self._publisher = publisher
        self._metrics = metrics
        self._interval = interval
        self._owner = uuid.uuid4().hex
        self._wake = threading.Event()
        self._backlog_reported_at = float("-inf")
        self._scanned_at = float("-inf")
        self._hints: set = set()
        self._hints_lock = threading.Lock()

    def nudge(self, collection: str | None = None, document_id=None) -> None:
        """Publish soon: a request just stored events (in that document, when given)."""
        if collection is not None and document_id is not None:
            with self._hints_lock:
                self._hints.add((collection, document_id))
        self._wake.set()

    def _has_work(self) -> bool:
        return bool(self._collections)

    def _wake_up(self) -> None:
        self._wake.set()

    def _run(self) -> None:
        backoff = self._interval
        while not self._stop.is_set():
            try:
                self.flush(full=False)
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

    def flush(self, full: bool = True) -> int:
        """Publish the hinted documents, and scan every outbox when ``full`` or when a scan is due
        (other processes' writes, leftovers of a crash). Returns how many events were published."""
        published = self._flush_hints()
        if full or time.monotonic() - self._scanned_at >= SCAN_EVERY:
            self._scanned_at = time.monotonic()
            published += self._scan()
        self._report_backlog()
        return published

    def _flush_hints(self) -> int:
        with self._hints_lock:
            hints, self._hints = self._hints, set()
        published = 0
        try:
            while hints:
                name, doc_id = hints.pop()
                doc = self._claim_next(self._db[name], {"_id": doc_id})
                if doc is not None:
                    published += self._publish_document(self._db[name], doc)
        finally:
            with self._hints_lock:
                self._hints |= hints  # what a failure left unpublished is tried again
        return published

    def _scan(self) -> int:
        published = 0
        for name in self._collections:
            collection = self._db[name]
            # one listing, then a claim by _id each: a claim without _id costs a full filter pass
            for pending in outbox.pending(collection, limit=MAX_DOCUMENTS_PER_PASS, ids_only=True):
                doc = self._claim_next(collection, {"_id": pending["_id"]})
                if doc is not None:
                    published += self._publish_document(collection, doc)
        return published

    def backlog(self) -> int:
        return sum(outbox.backlog(self._db[name]) for name in self._collections)

    def _report_backlog(self) -> None:
        now = time.monotonic()
        if now - self._backlog_reported_at >= BACKLOG_EVERY:
            self._backlog_reported_at = now
            self._metrics.outbox_backlog.labels(self._metrics.service).set(self.backlog())

    def _claim_next(self, collection, where: dict | None = None) -> dict | None:
        """Lease one document with unpublished events and read its outbox, in one operation."""
        now = utcnow()
        return collection.find_one_and_update(
            {**(where or {}), f"{outbox.OUTBOX}.id": {"$exists": True},
             "$or": [{"outbox_lease.until": {"$exists": False}}, {"outbox_lease.until": {"$lt": now}},
                     {"outbox_lease.owner": self._owner}]},
            {"$set": {"outbox_lease": {"owner": self._owner, "until": now + LEASE}}},
            projection={outbox.OUTBOX: 1}, return_document=ReturnDocument.AFTER)

    def _publish_document(self, collection, doc) -> int:
        published: list[str] = []
        try:
            for message in doc.get(outbox.OUTBOX, []):
                self._publisher.publish_event(message)
                published.append(message["id"])
                self._metrics.events_published.labels(self._metrics.service, message["type"]).inc()
        finally:
            # whatever was confirmed leaves the outbox, in one update that also ends the lease
            outbox.remove_published(collection, doc["_id"], published, self._owner)
        return len(published)
