"""The consumer: validate, handle, ack only after the handler's write is stored.

A handler that raises is retried in place with back-off (``DAIBAN_RETRY_DELAYS``); after the last
retry the message, with the error, goes to the service's dead-letter queue and only then is acked.
A message that is not a valid event of the catalogue is dead-lettered at once. A message that
crashes the process is redelivered by the broker; on RabbitMQ the quorum queue's delivery limit
dead-letters it after ``DAIBAN_DELIVERY_LIMIT`` crashes.
"""
from __future__ import annotations

import logging
import threading
import time
import traceback
from typing import Callable, Mapping

from kombu import Consumer as KombuConsumer

from ..background import BackgroundLoop
from ..config import Settings
from ..events import Event, InvalidEvent, parse_envelope, utcnow, validate_data
from ..logs import bound
from ..metrics import ServiceMetrics
from .connection import errors_of, open_connection
from .publisher import Publisher
from .topology import ServiceQueues, service_queues

log = logging.getLogger(__name__)

Handler = Callable[[Event, dict], None]
ERROR_HEADER = "x-daiban-error"


class EventConsumer(BackgroundLoop):
    def __init__(self, service: str, settings: Settings, handlers: Mapping[str, Handler],
                 metrics: ServiceMetrics, sleep: Callable[[float], None] = time.sleep):
        super().__init__(f"consumer-{service}")
        self.service = service
        self._settings = settings
        self._handlers = dict(handlers)
        self._metrics = metrics
        self._sleep = sleep
        self.queues: ServiceQueues = service_queues(settings, service, self._handlers)
        self._dead_publisher = Publisher(settings, service)
        self.ready = threading.Event()

    def _has_work(self) -> bool:
        return bool(self._handlers)

    def _on_stop(self) -> None:
        self._dead_publisher.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._consume()
            except Exception as exc:
                self.ready.clear()
                log.warning("consumer connection lost, reconnecting", extra={"error": repr(exc)})
                self._stop.wait(1.0)

    def _consume(self) -> None:
        with open_connection(self._settings) as connection:
            connection.ensure_connection(max_retries=1)
            channel = connection.channel()
            for queue in (self.queues.dead, self.queues.main):
                queue(channel).declare()
            consumer = KombuConsumer(channel, queues=[self.queues.main], callbacks=[self.on_message],
                                     accept=["json"], prefetch_count=self._settings.prefetch)
            with consumer:
                self.ready.set()
                self._drain(connection)

    def _drain(self, connection) -> None:
        errors = errors_of(connection)
        heartbeat_every = max(1.0, self._settings.heartbeat / 3) if connection.heartbeat else None
        last_beat = time.monotonic()
        while not self._stop.is_set():
            try:
                connection.drain_events(timeout=0.5)
            except TimeoutError:
                pass
            except errors:
                raise
            if heartbeat_every and time.monotonic() - last_beat > heartbeat_every:
                connection.heartbeat_check()
                last_beat = time.monotonic()

    def on_message(self, body, message) -> None:
        try:
            event = parse_envelope(body)
            data = validate_data(event)
        except InvalidEvent as exc:
            self._dead_letter(body, message, exc, attempts=0, event_type=_type_of(body))
            return
        with bound(service=self.service, event_id=event.id, correlation_id=event.correlation_id):
            self._handle(event, data, body, message)

    def _handle(self, event: Event, data: dict, body, message) -> None:
        handler = self._handlers.get(event.type)
        if handler is None:
            log.warning("no handler for %s; dropping", event.type)
            message.ack()
            return
        delays = (0.0,) + tuple(self._settings.retry_delays)
        for attempt, delay in enumerate(delays, start=1):
            if delay:
                self._sleep(delay)
            started = time.perf_counter()
            try:
                handler(event, data)
            except Exception as exc:
                error = exc
                log.warning("handler failed (attempt %d of %d)", attempt, len(delays),
                            extra={"event_type": event.type, "error": repr(exc)})
                continue
            self._metrics.handler_seconds.labels(self.service, event.type).observe(time.perf_counter() - started)
            self._metrics.events_handled.labels(self.service, event.type, "ok").inc()
            message.ack()
            return
        self._dead_letter(body, message, error, attempts=len(delays), event_type=event.type)

    def _dead_letter(self, body, message, error: BaseException, *, attempts: int, event_type: str) -> None:
        headers = {ERROR_HEADER: f"{type(error).__name__}: {error}"[:2000],
                   "x-daiban-traceback": "".join(traceback.format_exception(error))[-4000:],
                   "x-daiban-attempts": attempts, "x-daiban-failed-at": utcnow().isoformat(),
                   "x-daiban-queue": self.queues.main.name,
                   "x-daiban-routing-key": message.delivery_info.get("routing_key", "")}
        # confirmed before the ack: if this fails the message stays unacked and comes back
        self._dead_publisher.publish_to_queue(self.queues.dead.name, body, headers,
                                              message_id=message.properties.get("message_id"))
        self._metrics.dead_letters.labels(self.service, event_type).inc()
        self._metrics.events_handled.labels(self.service, event_type, "dead").inc()
        log.error("message dead-lettered after %d attempts", attempts,
                  extra={"event_type": event_type, "error": headers[ERROR_HEADER]})
        message.ack()


def _type_of(body) -> str:
    return body.get("type", "unknown") if isinstance(body, dict) else "unknown"
