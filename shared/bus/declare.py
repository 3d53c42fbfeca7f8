"""Declare every service's queues from the catalogue, before anything publishes.

A topic exchange drops what no queue is bound to; on a fresh broker a service that starts later
than its producers would miss their first events. ``daiban declare`` (run by ``daiban up``) and
deployments run this once; each consumer also declares its own queue when it starts.
"""
from __future__ import annotations

from ..config import Settings
from ..events import CATALOGUE
from .publisher import Publisher
from .topology import events_exchange, service_queues


def consumed_by(service: str) -> list[str]:
    return sorted(name for name, kind in CATALOGUE.items() if service in kind.consumers)


def declare_all(settings: Settings, services: list[str]) -> list[str]:
    publisher = Publisher(settings, "declare")
    declared = []
    try:
        publisher.declare(events_exchange(settings))
        for service in services:
            types = consumed_by(service)
            if types:
                queues = service_queues(settings, service, types)
                publisher.declare(queues.dead, queues.main)
                declared.append(queues.main.name)
    finally:
        publisher.close()
    return declared
