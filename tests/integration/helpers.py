"""Helpers of the integration tests: catalogue events, recording consumers, queue depths, metrics."""
from __future__ import annotations

import threading
import uuid
from collections import Counter
from datetime import date, timedelta

from shared.bus.connection import open_connection
from shared.bus.consumer import EventConsumer
from shared.bus.publisher import Publisher
from shared.config import Settings
from shared.events import Event, new_event, utcnow
from shared.metrics import ServiceMetrics
from shared.runtime import ServiceRuntime
from tests.support.waiting import wait_for

VILLAGE_152531 = "152531100901"  # 多伦县 (synthetic village with demo agents)
VILLAGE_152525 = "152525100901"  # 东乌珠穆沁旗


def submitted_event(division: str = VILLAGE_152531, petition_id: str | None = None) -> Event:
    petition_id = petition_id or f"pet-{uuid.uuid4().hex}"
    now = utcnow()
    return new_event("petition.submitted", {
        "petition_id": petition_id, "number": f"{division[:6]}-{now:%Y%m%d}-00001",
        "category": "complaint", "channel": "mini_program", "language": "zh",
        "petitioner_ref": f"ref-{uuid.uuid4().hex[:12]}", "preferred_agent_id": None,
        "received_at": now,
        "deadlines": {"receipt_notice_due": date.today() + timedelta(days=15),
                      "handling_due": date.today() + timedelta(days=75)},
    }, division=division, correlation_id=petition_id, causation_id=None)


def assigned_event(petition_id: str, division: str = VILLAGE_152531, sequence: int = 1) -> Event:
    now = utcnow()
    return new_event("petition.assigned", {
        "petition_id": petition_id,
        "agent": {"id": f"agt-{division}-1", "name": "李海军（示例）", "division": division},
        "level": "village", "reason": "village agent with the lowest load (0/8)",
        "petitioner_ref": f"ref-{uuid.uuid4().hex[:12]}", "assigned_at": now,
        "first_contact_due": now + timedelta(hours=24),
    }, division=division, correlation_id=petition_id, causation_id=None, sequence=sequence)


class Recorder:
    """A handler that records what it was given; ``fail_with`` makes it raise instead."""

    def __init__(self):
        self._lock = threading.Lock()
        self.events: list[Event] = []
        self.calls = 0
        self.fail_with: BaseException | None = None

    def __call__(self, event: Event, data: dict) -> None:
        with self._lock:
            self.calls += 1
            if self.fail_with is not None:
                raise self.fail_with
            self.events.append(event)

    @property
    def ids(self) -> list[str]:
        with self._lock:
            return [e.id for e in self.events]

    def id_counts(self) -> Counter:
        return Counter(self.ids)

    def wait_for_ids(self, ids, timeout: float = 10.0) -> None:
        wanted = set(ids)
        wait_for(lambda: wanted <= set(self.ids), timeout=timeout,
                 what=f"{len(wanted)} events at the recorder (have {len(set(self.ids) & wanted)})")


def start_consumer(service: str, settings: Settings, handlers: dict, closing,
                   metrics: ServiceMetrics | None = None, **kwargs) -> EventConsumer:
    consumer = EventConsumer(service, settings, handlers, metrics or ServiceMetrics(service), **kwargs)
    consumer.start()
    closing(consumer.stop)
    assert consumer.ready.wait(15), f"consumer {service} did not start consuming"
    return consumer


def start_runtime(spec, settings: Settings, closing, *, consumer: bool = True, relay: bool = True) -> ServiceRuntime:
    runtime = ServiceRuntime(spec, settings)
    closing(runtime.stop)
    if consumer:
        runtime.start_consumer()
        assert runtime.wait_consuming(15), f"{spec.name} did not start consuming"
    if relay:
        runtime.start_relay()
    runtime.prepare()
    return runtime


def publisher(settings: Settings, closing, name: str = "test") -> Publisher:
    pub = Publisher(settings, name)
    closing(pub.close)
    return pub


def queue_depth(settings: Settings, queue: str) -> int:
    """Ready messages in ``queue`` (a passive declare: fails if the queue does not exist)."""
    with open_connection(settings) as connection:
        channel = connection.channel()
        return channel.queue_declare(queue=queue, passive=True).message_count


def handled(runtime_or_metrics, service: str, event_type: str, outcome: str = "ok") -> float:
    metrics = getattr(runtime_or_metrics, "metrics", runtime_or_metrics)
    return metrics.registry.get_sample_value(
        "daiban_events_handled_total", {"service": service, "type": event_type, "outcome": outcome}) or 0.0


def published(runtime: ServiceRuntime, event_type: str) -> float:
    return runtime.metrics.registry.get_sample_value(
        "daiban_events_published_total", {"service": runtime.spec.name, "type": event_type}) or 0.0


def take_all(settings: Settings, queue: str) -> list:
    """Remove and return (as kombu messages) every ready message of ``queue``."""
    from kombu import Queue
    taken = []
    with open_connection(settings) as connection:
        bound = Queue(queue)(connection.channel())
        while (message := bound.get(no_ack=True)) is not None:
            taken.append(message)
    return taken
