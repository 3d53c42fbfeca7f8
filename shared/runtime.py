"""A service's runtime: its store, its outbox relay, its consumer, its context, and the app.

``ServiceSpec`` is what a service declares (wiring only); ``ServiceRuntime`` builds it for one
process. Nothing connects at import: the store client is lazy, the bus connects in threads
started by ``start()``, which gunicorn calls after it forks.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Iterable, Mapping

from . import store
from .bus.consumer import EventConsumer, Handler
from .bus.publisher import Publisher
from .config import Settings
from .events import utcnow
from .metrics import ServiceMetrics
from .relay import OutboxRelay

log = logging.getLogger(__name__)


@dataclass
class ServiceContext:
    """What handlers and views of one service get: settings, its own database, metrics, a clock."""
    name: str
    settings: Settings
    db: Any
    metrics: ServiceMetrics
    nudge_relay: Callable[..., None] = lambda collection=None, document_id=None: None
    clock: Callable[[], datetime] = utcnow
    readiness: Callable[[], dict[str, str]] = dict
    extras: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    title: str
    description: str
    blueprints: tuple
    indexes: Mapping[str, Iterable] = field(default_factory=dict)
    outbox_collections: tuple[str, ...] = ()
    handlers: Callable[[ServiceContext], Mapping[str, Handler]] = lambda ctx: {}
    on_start: Callable[[ServiceContext], None] | None = None
    # long-running helpers with start()/stop() (e.g. a clock scheduler); they run beside the consumers
    background: Callable[[ServiceContext], list] = lambda ctx: []


class ServiceRuntime:
    def __init__(self, spec: ServiceSpec, settings: Settings, *, consume: bool = True,
                 clock: Callable[[], datetime] = utcnow):
        self.spec = spec
        self.metrics = ServiceMetrics(spec.name)
        self.db = store.connect(settings, spec.name)
        self.publisher = Publisher(settings, spec.name)
        self.relay = OutboxRelay(self.db, spec.outbox_collections, self.publisher, self.metrics,
                                 settings.relay_interval)
        self.context = ServiceContext(spec.name, settings, self.db, self.metrics, self.relay.nudge,
                                      clock, self.readiness)
        handlers = spec.handlers(self.context)
        self.consumer = EventConsumer(spec.name, settings, handlers, self.metrics) if consume and handlers else None
        self.background = spec.background(self.context) if consume else []
        self._prepared = False

    def prepare(self) -> None:
        """Indexes and start-up data; idempotent."""
        if not self._prepared:
            store.ensure_indexes(self.db, self.spec.indexes)
            if self.spec.on_start:
                self.spec.on_start(self.context)
            self._prepared = True

    def start_consumer(self) -> None:
        self.prepare()
        if self.consumer:
            self.consumer.start()

    def start_relay(self) -> None:
        self.prepare()
        self.relay.start()
        for helper in self.background:
            helper.start()

    def start(self) -> "ServiceRuntime":
        self.start_consumer()
        self.start_relay()
        return self

    def wait_consuming(self, timeout: float = 15.0) -> bool:
        return self.consumer is None or self.consumer.ready.wait(timeout)

    def stop(self) -> None:
        for helper in self.background:
            helper.stop()
        if self.consumer:
            self.consumer.stop()
        self.relay.stop()
        self.publisher.close()

    def readiness(self) -> dict[str, str]:
        """Each check's state: ``ok`` or why not."""
        checks = {"store": _check(lambda: store.ping(self.db)), "broker": _check(self.publisher.check)}
        if self.consumer:
            checks["consumer"] = "ok" if self.consumer.ready.is_set() else "not consuming yet"
        return checks

    def app(self):
        from .http import create_service_app
        self.prepare()
        return create_service_app(self.context, self.spec.blueprints, self.spec.title, self.spec.description)


def _check(probe: Callable[[], Any]) -> str:
    try:
        probe()
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"[:200]
    return "ok"
