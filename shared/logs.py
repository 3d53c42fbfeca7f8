"""JSON log lines carrying the service, the request id, the correlation id and the event id.

Never log request bodies or documents: they may hold personal data. Log ids and counts.
"""
from __future__ import annotations

import contextvars
import logging
import sys
from contextlib import contextmanager

from pythonjsonlogger.json import JsonFormatter

service_var = contextvars.ContextVar("service", default=None)
request_id_var = contextvars.ContextVar("request_id", default=None)
correlation_id_var = contextvars.ContextVar("correlation_id", default=None)
event_id_var = contextvars.ContextVar("event_id", default=None)

_CONTEXT = {"service": service_var, "request_id": request_id_var,
            "correlation_id": correlation_id_var, "event_id": event_id_var}


class ContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        for name, var in _CONTEXT.items():
            if getattr(record, name, None) is None:
                setattr(record, name, var.get())
        return True


def configure(level: str = "INFO", stream=None) -> None:
    root = logging.getLogger()
    if any(getattr(h, "_daiban", False) for h in root.handlers):
        root.setLevel(level)
        return
    handler = logging.StreamHandler(stream or sys.stderr)
    handler._daiban = True
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter(
        "%(levelname)s %(name)s %(message)s %(service)s %(request_id)s %(correlation_id)s %(event_id)s",
        rename_fields={"levelname": "level", "name": "logger"},
        timestamp="time"))  # ISO 8601 in UTC with its offset
    root.addHandler(handler)
    root.setLevel(level)
    for noisy in ("amqp", "kombu", "werkzeug", "pika"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))


@contextmanager
def bound(**values):
    """Bind context values (service, request_id, correlation_id, event_id) for a block."""
    tokens = [(_CONTEXT[k], _CONTEXT[k].set(v)) for k, v in values.items() if v is not None]
    try:
        yield
    finally:
        for var, token in reversed(tokens):
            var.reset(token)
