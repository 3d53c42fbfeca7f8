"""The one envelope every event travels in, and its validation.

Personal data never goes in here: ``data`` carries references (ids, pseudonymous refs), never
names, phone numbers or ID numbers in clear.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

DIVISION_CODE = validate.Regexp(r"^\d{6}(\d{3}(\d{3})?)?$", error="not a 6, 9 or 12-digit division code")
BANNER_CODE = validate.Regexp(r"^\d{6}$", error="not a 6-digit banner code")
EVENT_TYPE = validate.Regexp(r"^[a-z_]+\.[a-z_]+$", error="not an aggregate.verb_past event type")


class InvalidEvent(ValueError):
    """A message that is not a valid event of the catalogue: it is never retried."""

    def __init__(self, message: str, errors: Any = None):
        super().__init__(message)
        self.errors = errors


class EnvelopeSchema(Schema):
    id = fields.UUID(required=True, metadata={"description": "unique per event; the idempotency key"})
    type = fields.String(required=True, validate=EVENT_TYPE, metadata={"description": "aggregate.verb_past"})
    version = fields.Integer(required=True, validate=validate.Range(min=1), metadata={"description": "schema version of data"})
    occurred_at = fields.AwareDateTime(required=True, default_timezone=timezone.utc, metadata={"description": "UTC"})
    producer = fields.String(required=True, metadata={"description": "the service that emitted it"})
    division = fields.String(required=True, validate=DIVISION_CODE, metadata={"description": "division code where the matter is"})
    banner = fields.String(required=True, validate=BANNER_CODE, metadata={"description": "6-digit banner code; last part of the routing key"})
    correlation_id = fields.String(required=True, metadata={"description": "the petition id"})
    causation_id = fields.String(required=True, allow_none=True, metadata={"description": "the event (or HTTP request id) that led to it"})
    sequence = fields.Integer(required=True, validate=validate.Range(min=1), metadata={"description": "per producing aggregate, from 1"})
    data = fields.Dict(required=True, metadata={"description": "the event's own fields (below)"})


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def banner_of(division: str) -> str:
    return division[:6]


@dataclass(frozen=True)
class Event:
    type: str
    data: dict
    producer: str
    division: str
    correlation_id: str
    sequence: int = 1
    causation_id: str | None = None
    version: int = 1
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    occurred_at: datetime = field(default_factory=utcnow)

    @property
    def banner(self) -> str:
        return banner_of(self.division)

    @property
    def routing_key(self) -> str:
        return f"{self.type}.{self.banner}"

    def with_sequence(self, sequence: int) -> "Event":
        return replace(self, sequence=sequence)

    def to_message(self) -> dict:
        """The JSON-ready form used on the bus and in outboxes."""
        return {
            "id": self.id, "type": self.type, "version": self.version,
            "occurred_at": self.occurred_at.astimezone(timezone.utc).isoformat(),
            "producer": self.producer, "division": self.division, "banner": self.banner,
            "correlation_id": self.correlation_id, "causation_id": self.causation_id,
            "sequence": self.sequence, "data": self.data,
        }


def parse_envelope(message: Any) -> Event:
    """Validate the envelope (not yet ``data``) of a received message."""
    if not isinstance(message, dict):
        raise InvalidEvent("event body is not a JSON object")
    try:
        loaded = EnvelopeSchema().load(message)
    except ValidationError as exc:
        raise InvalidEvent("invalid event envelope", exc.messages) from exc
    if loaded["banner"] != banner_of(loaded["division"]):
        raise InvalidEvent("banner does not match division", {"banner": ["mismatch"]})
    return Event(
        id=str(loaded["id"]), type=loaded["type"], version=loaded["version"],
        occurred_at=loaded["occurred_at"], producer=loaded["producer"],
        division=loaded["division"], correlation_id=loaded["correlation_id"],
        causation_id=loaded["causation_id"], sequence=loaded["sequence"], data=loaded["data"],
    )
