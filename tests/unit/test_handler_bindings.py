"""Each service handles exactly the event types the catalogue sends it: its queue is bound to the
catalogue's consumers, so a missing handler would drop events and an extra one would never run."""
from __future__ import annotations

import pytest

from services.registry import SPECS
from shared.events import CATALOGUE

from .petition_stream import context


def consumed_by(service: str) -> set[str]:
    return {name for name, kind in CATALOGUE.items() if service in kind.consumers}


@pytest.mark.parametrize("name", sorted(SPECS))
def test_the_handlers_are_the_event_types_the_catalogue_sends_to_the_service(name):
    spec = SPECS[name]
    handlers = spec.handlers(context(name, spec.indexes))
    assert set(handlers) == consumed_by(name)


def test_every_catalogue_consumer_is_a_service():
    assert {service for kind in CATALOGUE.values() for service in kind.consumers} <= set(SPECS)
