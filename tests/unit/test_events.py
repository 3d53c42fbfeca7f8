"""The envelope every event travels in, and the catalogue that validates its data."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timezone

import pytest

from shared.events import CATALOGUE, InvalidEvent, banner_of, new_event, parse_envelope, validate_data

VILLAGE = "152531100901"
RECEIVED = datetime(2025, 3, 1, 2, 30, tzinfo=timezone.utc)


def submitted_data(**overrides) -> dict:
    return {"petition_id": "pet-1", "number": "152531-20250301-00001", "category": "complaint",
            "channel": "web", "language": "zh", "petitioner_ref": "ref_abc", "preferred_agent_id": None,
            "received_at": RECEIVED,
            "deadlines": {"receipt_notice_due": date(2025, 3, 16), "handling_due": date(2025, 5, 15)},
            **overrides}


def submitted(**overrides):
    return new_event("petition.submitted", submitted_data(**overrides), division=VILLAGE,
                     correlation_id="pet-1", causation_id="req-1")


def test_an_event_survives_the_trip_through_a_message():
    event = submitted()
    assert parse_envelope(event.to_message()) == event


def test_a_message_carries_the_banner_and_utc_time_and_routes_by_type_and_banner():
    event = replace(submitted(), occurred_at=datetime(2025, 3, 1, 8, 0, tzinfo=timezone.utc))
    message = event.to_message()
    assert message["banner"] == "152531" == banner_of(VILLAGE)
    assert message["occurred_at"] == "2025-03-01T08:00:00+00:00"
    assert event.routing_key == "petition.submitted.152531"
    assert message["producer"] == "intake"


def test_a_banner_that_does_not_match_the_division_is_refused():
    message = {**submitted().to_message(), "banner": "152502"}
    with pytest.raises(InvalidEvent, match="banner"):
        parse_envelope(message)


@pytest.mark.parametrize("field, value", [
    ("division", "15253110090"), ("division", "152531x"), ("banner", "1525"), ("id", "not-a-uuid"),
    ("type", "PetitionSubmitted"), ("sequence", 0), ("version", 0), ("occurred_at", "yesterday"),
])
def test_malformed_envelope_fields_are_refused(field, value):
    with pytest.raises(InvalidEvent) as raised:
        parse_envelope({**submitted().to_message(), field: value})
    assert field in raised.value.errors


def test_a_missing_envelope_field_is_refused():
    message = submitted().to_message()
    del message["correlation_id"]
    with pytest.raises(InvalidEvent):
        parse_envelope(message)


def test_a_body_that_is_not_an_object_is_refused():
    with pytest.raises(InvalidEvent):
        parse_envelope(["petition.submitted"])


@pytest.mark.parametrize("division", ["152531", "152531100", VILLAGE])
def test_banner_township_and_village_codes_are_valid_divisions(division):
    event = new_event("mediation.requested", {"petition_id": "p", "requested_by": "agt-1", "kind": "people"},
                      division=division, correlation_id="p")
    assert parse_envelope(event.to_message()).division == division


def test_new_event_stamps_the_catalogue_version_and_producer():
    event = submitted()
    assert event.version == CATALOGUE["petition.submitted"].version
    assert event.producer == CATALOGUE["petition.submitted"].producer
    assert event.data["received_at"] == RECEIVED.isoformat()
    assert event.data["deadlines"] == {"receipt_notice_due": "2025-03-16", "handling_due": "2025-05-15"}


def test_new_event_refuses_an_unknown_type():
    with pytest.raises(InvalidEvent, match="unknown event type"):
        new_event("petition.vanished", {}, division=VILLAGE, correlation_id="p")


def test_new_event_refuses_invalid_data():
    with pytest.raises(InvalidEvent) as raised:
        submitted(category="gossip")
    assert "category" in raised.value.errors


def test_new_event_refuses_missing_data():
    data = submitted_data()
    del data["petitioner_ref"]
    with pytest.raises(InvalidEvent) as raised:
        new_event("petition.submitted", data, division=VILLAGE, correlation_id="pet-1")
    assert "petitioner_ref" in raised.value.errors


def test_a_consumer_gets_typed_data_back():
    data = validate_data(parse_envelope(submitted().to_message()))
    assert data["received_at"] == RECEIVED
    assert data["deadlines"]["handling_due"] == date(2025, 5, 15)
    assert data["preferred_agent_id"] is None


def test_a_consumer_refuses_another_version_of_the_data():
    with pytest.raises(InvalidEvent, match="version"):
        validate_data(replace(submitted(), version=2))


def test_a_consumer_refuses_data_that_does_not_match_the_schema():
    with pytest.raises(InvalidEvent):
        validate_data(replace(submitted(), data={**submitted().data, "channel": "pigeon"}))


def test_a_consumer_refuses_an_unknown_type():
    with pytest.raises(InvalidEvent):
        validate_data(replace(submitted(), type="petition.vanished"))


def test_every_catalogued_type_is_named_aggregate_dot_past_verb_and_has_consumers():
    for name, kind in CATALOGUE.items():
        assert name == kind.name
        assert kind.aggregate == name.split(".")[0]
        assert kind.consumers and kind.producer not in kind.consumers
