"""Publishing with publisher confirms. ``publish`` returns only once the broker has the message."""
from __future__ import annotations

import logging
import threading

from kombu import Connection, Producer

from ..config import Settings
from .connection import open_connection
from .topology import events_exchange

log = logging.getLogger(__name__)

CONFIRM_TIMEOUT = 10.0  # seconds; a broker that neither confirms nor closes must not hang the caller


class PublishFailed(RuntimeError):
    """The broker did not confirm; the caller keeps the message and tries again later."""


class Publisher:
    def __init__(self, settings: Settings, producer_name: str):
        self._settings = settings
        self._producer_name = producer_name
        self._connection: Connection | None = None
        self._producer: Producer | None = None
        self._lock = threading.Lock()

    def publish_event(self, message: dict) -> None:
        self._publish(message, exchange=events_exchange(self._settings),
                      routing_key=f"{message['type']}.{message['banner']}",
                      headers={"event-type": message["type"]}, message_id=message["id"])

    def publish_to_queue(self, queue: str, body: dict, headers: dict, message_id: str | None = None) -> None:
        """Straight to one queue through the default exchange (dead letters, replays)."""
        self._publish(body, exchange="", routing_key=queue, headers=headers, message_id=message_id)

    def _publish(self, body, *, exchange, routing_key, headers, message_id) -> None:
        # one fresh connection is tried when the kept one has gone stale (broker restart, idle close)
        with self._lock:
            for attempt in (1, 2):
                try:
                    producer = self._ensure_producer()
                    producer.publish(body, exchange=exchange, routing_key=routing_key, serializer="json",
                                     delivery_mode=2, headers=headers, message_id=message_id,
                                     correlation_id=body.get("correlation_id") if isinstance(body, dict) else None,
                                     app_id=self._producer_name, retry=False,
                                     confirm_timeout=CONFIRM_TIMEOUT)
                    return
                except Exception as exc:
                    self._reset(broken=True)
                    if attempt == 2:
                        raise PublishFailed(f"publish to {exchange or 'default'}/{routing_key} failed: "
                                            f"{exc!r}") from exc

    def heartbeat(self) -> None:
        """Keep an idle connection alive (call often; the transport rate-limits the beats)."""
        with self._lock:
            if self._connection is None or self._settings.uses_memory_bus:
                return
            try:
                self._connection.heartbeat_check()
            except Exception:
                self._reset(broken=True)

    def declare(self, *entities) -> None:
        with self._lock:
            producer = self._ensure_producer()
            for entity in entities:
                entity.maybe_bind(producer.channel)
                entity.declare()

    def _ensure_producer(self) -> Producer:
        if self._producer is None:
            self._connection = open_connection(self._settings, confirm=True)
            self._connection.ensure_connection(max_retries=1)
            channel = self._connection.channel()
            # no default exchange: kombu sends ``exchange=""`` to the producer's default, which must
            # stay the AMQP default exchange or dead letters and replays go to the topic exchange and are lost
            self._producer = Producer(channel, auto_declare=False)
            events_exchange(self._settings)(channel).declare()
        return self._producer

    def _reset(self, broken: bool = False) -> None:
        connection, self._connection, self._producer = self._connection, None, None
        if connection is not None:
            try:
                # a failed connection is dropped, not closed: Close waits for a broker that may never answer
                connection.collect() if broken else connection.release()
            except Exception:  # the connection is already gone; nothing to release
                log.debug("release of a broken connection failed", exc_info=True)

    def close(self) -> None:
        with self._lock:
            self._reset()

    def check(self) -> None:
        """Raises when the broker cannot be reached (used by /readyz)."""
        with self._lock:
            try:
                self._ensure_producer()
                self._connection.ensure_connection(max_retries=1)
            except Exception as exc:
                self._reset(broken=True)
                raise PublishFailed(str(exc)) from exc
