"""Prometheus metrics, one registry per service (the embedded mode runs five in one process)."""
from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest


class ServiceMetrics:
    def __init__(self, service: str):
        self.service = service
        self.registry = CollectorRegistry()
        r = self.registry
        self.http_requests = Counter("daiban_http_requests", "HTTP requests answered",
                                     ["service", "method", "route", "status"], registry=r)
        self.http_seconds = Histogram("daiban_http_request_seconds", "HTTP request latency",
                                      ["service", "route"], registry=r)
        self.events_handled = Counter("daiban_events_handled", "Events consumed, by outcome",
                                      ["service", "type", "outcome"], registry=r)
        self.handler_seconds = Histogram("daiban_event_handler_seconds", "Event handler latency",
                                         ["service", "type"], registry=r)
        self.dead_letters = Counter("daiban_dead_letters", "Messages sent to the dead-letter queue",
                                    ["service", "type"], registry=r)
        self.events_published = Counter("daiban_events_published", "Outbox events confirmed by the broker",
                                        ["service", "type"], registry=r)
        self.outbox_backlog = Gauge("daiban_outbox_backlog", "Events waiting in outboxes",
                                    ["service"], registry=r)
        self.publish_failures = Counter("daiban_publish_failures", "Publishes the broker did not confirm",
                                        ["service"], registry=r)

    def render(self) -> bytes:
        return generate_latest(self.registry)
