"""kombu connections, opened lazily (never at import, always after gunicorn forks)."""
from __future__ import annotations

from kombu import Connection

from ..config import Settings

MEMORY_POLLING_INTERVAL = 0.01  # the default 1 s makes every in-process hop wait


def open_connection(settings: Settings, *, confirm: bool = False) -> Connection:
    if settings.uses_memory_bus:
        return Connection(settings.amqp_url, transport_options={"polling_interval": MEMORY_POLLING_INTERVAL})
    options = {"confirm_publish": True} if confirm else {}
    return Connection(settings.amqp_url, heartbeat=settings.heartbeat, transport_options=options,
                      connect_timeout=5)


def errors_of(connection: Connection) -> tuple[type[BaseException], ...]:
    return tuple(connection.connection_errors) + tuple(connection.channel_errors) + (OSError,)
