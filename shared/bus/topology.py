"""Names and declarations: one durable topic exchange, one durable queue per service (and banner set),
one dead-letter queue per service queue. Routing key: ``<aggregate>.<event>.<banner>``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from kombu import Exchange, Queue

from ..config import Settings


def events_exchange(settings: Settings) -> Exchange:
    return Exchange(settings.exchange, type="topic", durable=True)


def queue_name(service: str, banners: Iterable[str] = (), prefix: str = "daiban") -> str:
    banners = sorted(banners)
    return f"{prefix}.{service}" + (f".{'-'.join(banners)}" if banners else "")


def dead_letter_name(queue: str) -> str:
    return f"{queue}.dead"


def binding_keys(event_types: Iterable[str], banners: Iterable[str] = ()) -> list[str]:
    banners = sorted(banners)
    suffixes = banners or ["*"]
    return [f"{t}.{b}" for t in sorted(event_types) for b in suffixes]


@dataclass(frozen=True)
class ServiceQueues:
    main: Queue
    dead: Queue


def service_queues(settings: Settings, service: str, event_types: Iterable[str]) -> ServiceQueues:
    name = queue_name(service, settings.banners, settings.queue_prefix)
    dead = dead_letter_name(name)
    exchange = events_exchange(settings)
    arguments, dead_arguments = _queue_arguments(settings, dead)
    bindings = [_binding(exchange, key) for key in binding_keys(event_types, settings.banners)]
    main = Queue(name, bindings=bindings, durable=True, auto_delete=False,
                 queue_arguments=arguments)
    return ServiceQueues(main=main, dead=Queue(dead, durable=True, auto_delete=False,
                                               queue_arguments=dead_arguments))


def _binding(exchange: Exchange, key: str):
    from kombu import binding
    return binding(exchange, routing_key=key)


def _queue_arguments(settings: Settings, dead: str) -> tuple[dict, dict]:
    if settings.uses_memory_bus:
        return {}, {}
    # quorum queues: replicated in a cluster, and a delivery limit that dead-letters a message
    # which keeps crashing its consumer (the in-process retry count cannot survive a crash)
    return ({"x-queue-type": "quorum", "x-delivery-limit": settings.delivery_limit,
             "x-dead-letter-exchange": "", "x-dead-letter-routing-key": dead},
            {"x-queue-type": "quorum"})
