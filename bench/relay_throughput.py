#!/usr/bin/env python
"""Outbox relay throughput: how fast OutboxRelay.flush() drains a backlog of petition.submitted events.

What it does (see docs/benchmarks.md):
  1. RabbitMQ: a fresh vhost; an intake-like store (mongomock, no MONGO_URL) holding N petition
     documents, each with one valid event in its outbox; a queue bound to the exchange so every
     message is routable; then OutboxRelay.flush() is called until the backlog is 0, timed, and the
     queue must hold N messages. The time spent inside Publisher.publish_event (publish + wait for the
     confirm) is measured separately, so store cost and broker cost can be told apart.
  2. The same through kombu's memory:// transport (no broker, no confirms), for comparison.
  3. "publisher only": Publisher.publish_event alone (--raw-events times, 0 skips it), no store: the
     pure cost of one publish with its synchronous confirm.
Each drain has a time budget (--max-seconds, default 15 s): with mongomock the cost per event grows
with the number of stored documents, and a 5,000-event drain would take many minutes. A drain that
runs out of budget stops after its current event and is reported as PARTIAL, with the rate over what
it published (the store size, hence the cost per event, does not change during a drain) and checks
that the queue holds exactly what was confirmed and the outboxes the rest.
The vhost is deleted at the end, whatever happens.

    .venv/bin/python bench/relay_throughput.py                 # N=5,000
    .venv/bin/python bench/relay_throughput.py --events 500 --max-seconds 25 --raw-events 0

This is a benchmark, not a test: it prints figures and exits 1 only when a check fails.
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from kombu import Queue, binding  # noqa: E402

from services.intake import domain  # noqa: E402
from services.intake import store as intake_store  # noqa: E402
from shared import outbox, store  # noqa: E402
from shared.bus.connection import open_connection  # noqa: E402
from shared.bus.publisher import Publisher, PublishFailed  # noqa: E402
from shared.bus.topology import events_exchange  # noqa: E402
from shared.events import new_event, utcnow  # noqa: E402
from shared.metrics import ServiceMetrics  # noqa: E402
from shared.privacy import subject_ref  # noqa: E402
from shared.relay import OutboxRelay  # noqa: E402
from tests.support.broker import broker_reachable, create_vhost, delete_vhost, url_for  # noqa: E402
from tests.support.services import make_settings  # noqa: E402

VILLAGE = "152531100901"          # a village of the synthetic registry (banner 152531)
BINDING_KEY = "petition.submitted.*"


# --------------------------------------------------------------------------------------------------
# the store: N intake petitions, each with its petition.submitted event in its outbox
# --------------------------------------------------------------------------------------------------

def _petition(settings, serial: int, now) -> tuple[dict, object]:
    """A petition document shaped like services/intake/api.py _build, and its _submitted_event."""
    zone = settings.timezone
    banner = VILLAGE[:6]
    dates = domain.statutory_dates(now, zone)
    ref = subject_ref(settings, f"bench-petitioner-{serial}")
    petition = {
        "_id": domain.new_petition_id(), "number": domain.petition_number(banner, now, zone, serial),
        "status": domain.SUBMITTED, "title": "草场边界纠纷", "description": "benchmark petition " * 8,
        "division": VILLAGE, "category": "complaint", "channel": "mini_program", "language": "zh",
        "preferred_agent_id": None, "petitioner_ref": ref, "received_at": now, "updated_at": now,
        "deadlines": {"receipt_notice_due": dates.receipt_notice_due.isoformat(),
                      "handling_due": dates.handling_due.isoformat()},
        "assigned_agent": None, "level": None, "timeline": domain.received_entries(now, dates),
        "idempotency_key": None, "request_fingerprint": None,
    }
    event = new_event("petition.submitted", {
        "petition_id": petition["_id"], "number": petition["number"], "category": petition["category"],
        "channel": petition["channel"], "language": petition["language"],
        "petitioner_ref": petition["petitioner_ref"], "preferred_agent_id": petition["preferred_agent_id"],
        "received_at": petition["received_at"],
        "deadlines": {k: date.fromisoformat(v) for k, v in petition["deadlines"].items()},
    }, division=petition["division"], correlation_id=petition["_id"], causation_id=f"bench-{serial}")
    return petition, event


def make_documents(settings, n: int) -> list[dict]:
    """N petition documents, each carrying its petition.submitted event in its outbox."""
    now = utcnow()
    documents = []
    for serial in range(1, n + 1):
        petition, event = _petition(settings, serial, now)
        documents.append(outbox.new_document(petition, [event]))
    return documents


def build_store(settings, documents: list[dict]):
    """intake's store holding the documents, with intake's indexes. The indexes are created after the
    bulk insert only because mongomock checks every unique index against every stored document on
    each insert (5,000 inserts take about 3 minutes that way, 1 s this way); the drain runs with the
    indexes in place, exactly as in the service. mongomock stores copies, so the same documents can
    fill several stores."""
    db = store.connect(settings, "intake")
    db[intake_store.PETITIONS].insert_many(documents)
    store.ensure_indexes(db, intake_store.INDEXES)
    return db


# --------------------------------------------------------------------------------------------------
# the queue the events go to
# --------------------------------------------------------------------------------------------------

def bench_queue(settings, queue_type: str) -> Queue:
    arguments = {} if settings.uses_memory_bus or queue_type == "classic" else {"x-queue-type": "quorum"}
    return Queue(f"{settings.queue_prefix}.bench", bindings=[binding(events_exchange(settings), BINDING_KEY)],
                 durable=True, auto_delete=False, queue_arguments=arguments)


def queue_depth(settings, queue: Queue) -> int:
    connection = open_connection(settings)
    try:
        channel = connection.channel()
        ok = channel.queue_declare(queue=queue.name, passive=True)
        return int(ok.message_count)
    finally:
        connection.release()


def purge(settings, queue: Queue) -> None:
    connection = open_connection(settings)
    try:
        queue(connection.channel()).purge()
    finally:
        connection.release()


# --------------------------------------------------------------------------------------------------
# the measurements
# --------------------------------------------------------------------------------------------------

class BudgetReached(PublishFailed):
    """Raised by TimedPublisher once the time budget is spent: the relay handles it like a broker
    outage (the event stays in its outbox), so a drain can stop in the middle of a pass."""


class TimedPublisher:
    """Wraps Publisher.publish_event: adds up the time spent publishing (publish + confirm), counts the
    confirmed events, and stops the drain once the deadline has passed."""

    def __init__(self, publisher: Publisher):
        self.publisher = publisher
        self.seconds = 0.0
        self.samples: list[float] = []
        self.confirmed = 0
        self.deadline = float("inf")

    def install(self):
        original = self.publisher.publish_event

        def publish_event(message):
            if time.perf_counter() > self.deadline:
                raise BudgetReached("time budget reached")
            start = time.perf_counter()
            try:
                original(message)
            finally:
                took = time.perf_counter() - start
                self.seconds += took
                self.samples.append(took)
            self.confirmed += 1
        self.publisher.publish_event = publish_event


def run_relay(label: str, settings, documents: list[dict], queue_type: str, max_seconds: float) -> dict:
    n = len(documents)
    print(f"[{label}] filling a store with {n:,} petitions with one event each ...", flush=True)
    t0 = time.perf_counter()
    db = build_store(settings, documents)
    build_s = time.perf_counter() - t0
    publisher = Publisher(settings, "intake")
    queue = bench_queue(settings, queue_type)
    try:
        publisher.declare(queue)
        timed = TimedPublisher(publisher)
        timed.install()
        relay = OutboxRelay(db, (intake_store.PETITIONS,), publisher, ServiceMetrics("intake"))
        before = relay.backlog()
        print(f"[{label}] store built in {build_s:.1f} s, backlog {before:,}; flushing "
              f"(budget {max_seconds:g} s) ...", flush=True)
        passes, timed_out = 0, False
        start = time.perf_counter()
        timed.deadline = start + max_seconds
        while True:
            passes += 1
            try:
                count = relay.flush()
            except BudgetReached:
                timed_out = True
                break
            if count == 0 or timed.confirmed >= n:
                break
        elapsed = time.perf_counter() - start
        published = timed.confirmed
        backlog = relay.backlog()
        depth = queue_depth(settings, queue)
        purge(settings, queue)
        # a drain stopped by the budget is consistent when what was confirmed is in the queue and
        # what was not is still in the outboxes; a complete drain must leave N messages and no backlog
        ok = depth == published and backlog == n - published and (timed_out or published == n)
        return {"label": label, "n": n, "published": published, "passes": passes, "seconds": elapsed,
                "publish_seconds": timed.seconds, "publish_p50": statistics.median(timed.samples or [0.0]),
                "backlog_after": backlog, "queue_depth": depth,
                "timed_out": timed_out, "ok": ok}
    finally:
        publisher.close()


def run_raw(label: str, settings, n: int, queue_type: str) -> dict:
    """Publisher.publish_event alone, N times, one synchronous confirm each: no store at all."""
    _, event = _petition(settings, 1, utcnow())
    message = event.to_message()
    publisher = Publisher(settings, "intake")
    queue = bench_queue(settings, queue_type)
    try:
        publisher.declare(queue)
        publisher.publish_event(message)           # connect and warm up outside the timing
        purge(settings, queue)
        start = time.perf_counter()
        for _ in range(n):
            publisher.publish_event(message)
        elapsed = time.perf_counter() - start
        depth = queue_depth(settings, queue)
        purge(settings, queue)
        return {"label": label, "n": n, "published": n, "seconds": elapsed, "queue_depth": depth,
                "ok": depth == n}
    finally:
        publisher.close()


def _rate(result: dict) -> str:
    n, s = result["published"], result["seconds"]
    return f"{n / s:8,.0f} events/s  {1000 * s / max(n, 1):7.3f} ms/event"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=5000, help="outbox events to drain (default 5,000)")
    parser.add_argument("--queue-type", choices=("quorum", "classic"), default="quorum",
                        help="type of the bound RabbitMQ queue (the services declare quorum queues)")
    parser.add_argument("--raw-events", type=int, default=2000,
                        help="messages for the publisher-only measurement (default 2,000; 0 skips it)")
    parser.add_argument("--no-memory", action="store_true", help="skip the memory:// comparison")
    parser.add_argument("--max-seconds", type=float, default=15.0,
                        help="time budget of each relay drain: a drain still running then stops after its "
                             "current event and is reported as partial (default 15)")
    args = parser.parse_args(argv)
    if args.events < 1:
        parser.error("--events must be at least 1")
    if not broker_reachable():
        print("RabbitMQ is not reachable at 127.0.0.1:5672", file=sys.stderr)
        return 2

    results = []
    load_before = os.getloadavg()[0]
    vhost = create_vhost()
    try:
        amqp = make_settings(AMQP_URL=url_for(vhost))
        print(f"building {args.events:,} petition documents and their events ...", flush=True)
        documents = make_documents(amqp, args.events)
        results.append(run_relay("relay, RabbitMQ", amqp, documents, args.queue_type, args.max_seconds))
        if args.raw_events:
            print(f"[publisher only, RabbitMQ] publishing {args.raw_events:,} ...", flush=True)
            results.append(run_raw("publisher only, RabbitMQ", amqp, args.raw_events, args.queue_type))
        if not args.no_memory:
            memory = make_settings(AMQP_URL="memory://")
            results.append(run_relay("relay, memory://", memory, documents, args.queue_type, args.max_seconds))
            if args.raw_events:
                results.append(run_raw("publisher only, memory://", memory, args.raw_events, args.queue_type))
    finally:
        delete_vhost(vhost)

    print()
    print("=" * 96)
    print(f"Outbox relay throughput   N={args.events:,} events in a mongomock store of {args.events:,} "
          f"petitions   queue={args.queue_type}   {os.cpu_count()} cores   Python {platform.python_version()}")
    print("relay: OutboxRelay.flush() until the backlog is 0 or the time budget is spent; "
          "publisher only: Publisher.publish_event in a loop, no store")
    print("-" * 96)
    for r in results:
        line = f"{r['label']:<28} {_rate(r)}  {r['seconds']:6.2f} s"
        if "publish_seconds" in r:
            publish_ms = 1000 * r["publish_seconds"] / max(r["published"], 1)
            store_ms = 1000 * (r["seconds"] - r["publish_seconds"]) / max(r["published"], 1)
            line += (f"   per event: publish+confirm {publish_ms:.3f} ms (p50 {1000 * r['publish_p50']:.3f}), "
                     f"store {store_ms:.3f} ms; {r['passes']} flush passes")
        print(line)
    print(f"load average (1 min) before {load_before:.2f}, after {os.getloadavg()[0]:.2f}")
    print("-" * 96)
    for r in results:
        checks = f"queue holds {r['queue_depth']:,} of {r['n']:,}"
        if "backlog_after" in r:
            checks += f", backlog after {r['backlog_after']:,}"
            if r["timed_out"]:
                checks = (f"PARTIAL: time budget reached after {r['seconds']:.1f} s, {r['published']:,} of "
                          f"{r['n']:,} published; queue holds {r['queue_depth']:,}, backlog after "
                          f"{r['backlog_after']:,}")
        print(f"{r['label']:<28} {'ok  ' if r['ok'] else 'FAIL'} {checks}")
    print("=" * 96)
    return 0 if all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
