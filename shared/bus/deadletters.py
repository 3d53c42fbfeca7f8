"""Operator tools for a service's dead-letter queue: list what is there, replay it.

Listing reads every message without acknowledging it and closes the channel, so the broker keeps
them all. Replay sends chosen messages back to the service's own queue (not to the exchange, so no
other service sees them twice), with confirms, and only then removes them from the dead letters.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from ..config import Settings
from .connection import open_connection
from .publisher import Publisher
from .topology import dead_letter_name, queue_name


@dataclass(frozen=True)
class DeadLetter:
    message_id: str | None
    event_type: str
    error: str
    attempts: int
    failed_at: str
    body: dict


def _browse(settings: Settings, service: str):
    connection = open_connection(settings)
    channel = connection.channel()
    name = dead_letter_name(queue_name(service, settings.banners, settings.queue_prefix))
    messages = []
    while True:
        message = channel.basic_get(name, no_ack=False)
        if message is None:
            break
        messages.append(channel.message_to_python(message))  # pyamqp gives raw frames; kombu ack/reject
    return connection, messages


def _describe(message) -> DeadLetter:
    headers = message.headers or {}
    body = message.decode() if hasattr(message, "decode") else {}
    return DeadLetter(message_id=message.properties.get("message_id"),
                      event_type=body.get("type", "unknown") if isinstance(body, dict) else "unknown",
                      error=str(headers.get("x-daiban-error", "")),
                      attempts=int(headers.get("x-daiban-attempts", 0) or 0),
                      failed_at=str(headers.get("x-daiban-failed-at", "")), body=body)


def list_dead_letters(settings: Settings, service: str) -> list[DeadLetter]:
    connection, messages = _browse(settings, service)
    try:
        return [_describe(m) for m in messages]
    finally:
        for m in messages:
            m.reject(requeue=True)
        connection.release()


def replay_dead_letters(settings: Settings, service: str, ids: Iterable[str] | None = None) -> int:
    wanted = set(ids) if ids else None
    target = queue_name(service, settings.banners, settings.queue_prefix)
    publisher = Publisher(settings, f"{service}-replay")
    connection, messages = _browse(settings, service)
    replayed = 0
    try:
        for message in messages:
            letter = _describe(message)
            if wanted is not None and letter.message_id not in wanted:
                message.reject(requeue=True)
                continue
            publisher.publish_to_queue(target, letter.body, {"x-daiban-replayed": True},
                                       message_id=letter.message_id)
            message.ack()
            replayed += 1
    finally:
        connection.release()
        publisher.close()
    return replayed
