"""The event catalogue: every event type, who produces it, who consumes it, and its schema.

This is the single written-down contract between the services. ``docs/events.md`` is rendered
from it (``daiban docs events``) and a test fails when the page is stale.
"""
from __future__ import annotations

from dataclasses import dataclass

from marshmallow import Schema, ValidationError

from .envelope import Event, InvalidEvent, utcnow
from . import schemas as s


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


A, I, M, N, R = "assignment", "intake", "mediation", "notify", "reporting"

CATALOGUE: dict[str, EventType] = {t.name: t for t in (
    EventType("petition.submitted", 1, I, (A, R), s.PetitionSubmitted,
              "A petition was received (online, or entered by an agent for an offline channel)."),
    EventType("petition.review_requested", 1, I, (A, R), s.ReviewRequested,
              "The petitioner asked the next-higher organ for review (复查) or re-review (复核)."),
    EventType("petition.rated", 1, I, (R,), s.PetitionRated,
              "The petitioner gave feedback on the result (the comment stays in intake)."),
    EventType("agent.registered", 1, A, (I,), s.AgentProfile, "A coordinator registered an agent."),
    EventType("agent.updated", 1, A, (I,), s.AgentProfile, "An agent's public profile, capacity or state changed."),
    EventType("agent.deactivated", 1, A, (I,), s.AgentDeactivated, "An agent no longer takes petitions."),
    EventType("petition.assigned", 1, A, (I, N, R), s.PetitionAssigned,
              "An agent now holds the petition, at village or township level, with a first-contact deadline."),
    EventType("assignment.queued", 1, A, (I, N, R), s.AssignmentQueued,
              "Nobody fits at this level: the petition waits in the coordinator's queue."),
    EventType("assignment.accepted", 1, A, (I, R), s.AssignmentAccepted,
              "The agent accepted the petition; the 60-day handling clock starts (the receipt notice)."),
    EventType("assignment.declined", 1, A, (I, R), s.AssignmentDeclined,
              "The agent declined the petition; it is matched again or queued."),
    EventType("petition.contacted", 1, A, (I, R), s.PetitionContacted,
              "The agent made first contact with the petitioner."),
    EventType("petition.verified", 1, A, (I, R), s.PetitionVerified, "The agent verified the facts."),
    EventType("petition.forwarded", 1, A, (I, N, R), s.PetitionForwarded,
              "The matter was forwarded to the responsible department."),
    EventType("petition.department_replied", 1, A, (I, R), s.DepartmentReplied,
              "The department replied, accepting the matter or objecting that it is not its remit."),
    EventType("petition.progress_noted", 1, A, (I,), s.ProgressNoted,
              "A public progress note for the petitioner (internal notes never leave assignment)."),
    EventType("mediation.requested", 1, A, (I, M, R), s.MediationRequested,
              "An agent or coordinator asked for a mediation or a three-party consultation."),
    EventType("assignment.escalated", 1, A, (I, N, R), s.AssignmentEscalated,
              "Not settled at this level: handed to the level above (to banner counts as 矛盾上交)."),
    EventType("petition.routed_out", 1, A, (I, N, R), s.PetitionRoutedOut,
              "诉访分离: the matter belongs to a legal procedure; the petitioner got written guidance."),
    EventType("assignment.extended", 1, A, (I, R), s.AssignmentExtended,
              "The handling limit was extended once, by at most 30 days, with a reason the petitioner sees."),
    EventType("petition.closed", 1, A, (I, N, R), s.PetitionClosed,
              "Closed with a written answer (outcome, facts, legal basis) at a level."),
    EventType("assignment.due_soon", 1, A, (I, N, R), s.ClockAlert, "A clock will run out soon."),
    EventType("assignment.overdue", 1, A, (I, N, R), s.ClockAlert, "A clock ran out."),
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
