"""The event catalogue: every event type, who produces it, who consumes it, and its schema.

This is the single written-down contract between the services. ``docs/events.md`` is rendered
from it (``daiban docs events``) and a test fails when the page is stale.
"""
from __future__ import annotations

from dataclasses import dataclass

from marshmallow import Schema, ValidationError

from .envelope import Event, InvalidEvent, utcnow
from .schemas import MediationRequested, PetitionAssigned, PetitionSubmitted


@dataclass(frozen=True)
class EventType:
    name: str
    version: int
    producer: str
    consumers: tuple[str, ...]
    schema: type[Schema]
    summary: str

    @property
    def aggregate(self) -> str:
        return self.name.split(".", 1)[0]


CATALOGUE: dict[str, EventType] = {t.name: t for t in (
    EventType("petition.submitted", 1, "intake", ("assignment", "reporting"), PetitionSubmitted,
              "A petition was received (online, or entered by an agent for an offline channel)."),
    EventType("petition.assigned", 1, "assignment", ("intake", "notify", "reporting"), PetitionAssigned,
              "An agent now holds the petition, at village or township level, with a first-contact "
              "deadline."),
    EventType("mediation.requested", 1, "assignment", ("mediation", "reporting"), MediationRequested,
              "An agent or coordinator asked for a mediation or a three-party consultation."),
)}


def event_type(name: str) -> EventType:
    try:
        return CATALOGUE[name]
    except KeyError:
        raise InvalidEvent(f"unknown event type {name!r}") from None


def new_event(name: str, data: dict, *, division: str, correlation_id: str,
              causation_id: str | None = None, sequence: int = 1) -> Event:
    """Build an event of the catalogue, validating its data before it can reach an outbox."""
    kind = event_type(name)
    try:
        dumped = kind.schema().dump(data)
    except (TypeError, ValueError, AttributeError) as exc:
        raise InvalidEvent(f"data for {name} cannot be serialised: {exc}") from exc
    errors = kind.schema().validate(dumped)
    if errors:
        raise InvalidEvent(f"invalid data for {name}", errors)
    return Event(type=name, version=kind.version, data=dumped,
                 producer=kind.producer, division=division, correlation_id=correlation_id,
                 causation_id=causation_id, sequence=sequence, occurred_at=utcnow())


def validate_data(event: Event) -> dict:
    """What a consumer calls on receipt: the loaded ``data`` of a known type and version."""
    kind = event_type(event.type)
    if event.version != kind.version:
        raise InvalidEvent(f"{event.type} version {event.version} is not {kind.version}")
    try:
        return kind.schema().load(event.data)
    except ValidationError as exc:
        raise InvalidEvent(f"invalid data for {event.type}", exc.messages) from exc
