import pytest

from services.registry import SPECS
from shared.runtime import ServiceRuntime

from .helpers import Service


@pytest.fixture
def make_service(settings):
    """``make_service(name, service_settings=None, clock=None)``: a service on an in-memory store
    (the test's settings unless given); every runtime built is stopped after the test."""
    built: list[ServiceRuntime] = []

    def make(name: str, service_settings=None, clock=None) -> Service:
        kwargs = {"clock": clock} if clock else {}
        runtime = ServiceRuntime(SPECS[name], service_settings or settings, **kwargs)
        built.append(runtime)
        return Service(runtime)

    yield make
    for runtime in built:
        runtime.stop()


@pytest.fixture
def intake(make_service) -> Service:
    return make_service("intake")
