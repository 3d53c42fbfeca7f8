"""Integration tests over the real RabbitMQ.

Creating a vhost costs about a second, so the tests of one module share one vhost (deleted after the
module); every test still gets its own exchange, queue prefix and database prefix from
``make_settings``, so nothing one test declares or publishes can reach another test.
"""
from __future__ import annotations

import pytest

from tests.support import broker
from tests.support.tcpproxy import TcpProxy


@pytest.fixture(scope="module")
def vhost():
    broker.require_broker()
    name = broker.create_vhost()
    yield name
    broker.delete_vhost(name)


@pytest.fixture
def amqp_url(vhost):
    """The module's vhost (names inside it are unique per test)."""
    return broker.url_for(vhost)


@pytest.fixture
def proxy():
    """A TCP proxy in front of the broker, for one test."""
    with TcpProxy((broker.HOST, broker.PORT)) as running:
        yield running


@pytest.fixture
def proxied_url(vhost, proxy):
    """The module's vhost, reached through the proxy."""
    return broker.url_for(vhost, port=proxy.port)


@pytest.fixture
def closing():
    """Register ``stop`` callables; they run (last first) when the test ends, pass or fail."""
    stops = []
    yield stops.append
    for stop in reversed(stops):
        stop()
