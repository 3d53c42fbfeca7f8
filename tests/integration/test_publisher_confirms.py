"""Publisher confirms: ``publish_event`` returns once the broker has the message, and raises
``PublishFailed`` (never returns quietly) when the broker cannot take it."""
from __future__ import annotations

import socket
import threading

import pytest

from shared.bus import publisher as publisher_module
from shared.bus.declare import declare_all
from shared.bus.publisher import Publisher, PublishFailed
from tests.integration.helpers import VILLAGE_152531, publisher, queue_depth, submitted_event, take_all
from tests.support import broker
from tests.support.services import make_settings

pytestmark = [pytest.mark.slow, pytest.mark.broker]


def test_published_event_is_in_the_queue_when_publish_returns(amqp_settings, closing):
    declared = declare_all(amqp_settings, ["assignment", "reporting"])
    pub = publisher(amqp_settings, closing)
    events = [submitted_event(VILLAGE_152531) for _ in range(3)]

    for event in events:
        pub.publish_event(event.to_message())

    # no waiting: a confirmed message is already stored in every queue it was routed to
    assert {name: queue_depth(amqp_settings, name) for name in declared} == {name: 3 for name in declared}
    got = take_all(amqp_settings, f"{amqp_settings.queue_prefix}.assignment")
    assert [m.decode()["id"] for m in got] == [e.id for e in events]
    assert [m.properties["message_id"] for m in got] == [e.id for e in events]
    assert got[0].delivery_info["routing_key"] == "petition.submitted.152531"
    assert got[0].properties["delivery_mode"] == 2


def test_publish_to_a_closed_port_raises_publish_failed(vhost):
    settings = make_settings(AMQP_URL=broker.url_for(vhost, port=_closed_port()))
    pub = Publisher(settings, "test")
    try:
        with pytest.raises(PublishFailed, match="refused"):
            pub.publish_event(submitted_event().to_message())
    finally:
        pub.close()


def test_publish_after_the_connection_was_cut_raises_publish_failed_then_recovers(vhost, proxy, closing):
    settings = make_settings(AMQP_URL=broker.url_for(vhost, port=proxy.port))
    direct = make_settings(AMQP_URL=broker.url_for(vhost), DAIBAN_QUEUE_PREFIX=settings.queue_prefix,
                           DAIBAN_EXCHANGE=settings.exchange)
    queue = declare_all(direct, ["reporting"])[0]
    pub = publisher(settings, closing)
    before, during, after = (submitted_event() for _ in range(3))
    pub.publish_event(before.to_message())
    assert proxy.open_connections == 1

    proxy.cut()  # the open connection is reset and new ones are refused
    with pytest.raises(PublishFailed):
        pub.publish_event(during.to_message())
    assert queue_depth(direct, queue) == 1

    proxy.restore()
    pub.publish_event(after.to_message())
    assert [m.decode()["id"] for m in take_all(direct, queue)] == [before.id, after.id]


def test_publish_over_a_silent_network_raises_publish_failed_instead_of_hanging(vhost, proxy, closing,
                                                                                 monkeypatch):
    monkeypatch.setattr(publisher_module, "CONFIRM_TIMEOUT", 1.0)
    settings = make_settings(AMQP_URL=broker.url_for(vhost, port=proxy.port))
    pub = publisher(settings, closing)
    closing(proxy.restore)  # first thing at teardown: frees anything still stuck on the silent link
    pub.publish_event(submitted_event().to_message())

    proxy.stall()  # the open connection goes silent: the broker neither confirms nor closes it
    proxy.refuse()  # (and a fresh connection is refused, so only the silent one is timed here)
    outcome = []

    def attempt():
        try:
            pub.publish_event(submitted_event().to_message())
            outcome.append("returned")
        except Exception as exc:  # noqa: BLE001 - recorded for the assertion below
            outcome.append(exc)

    thread = threading.Thread(target=attempt, daemon=True)
    thread.start()
    thread.join(8)
    assert not thread.is_alive(), "publish is still waiting for a confirm from a silent broker"
    assert isinstance(outcome[0], PublishFailed), outcome

    proxy.restore()
    pub.publish_event(submitted_event().to_message())


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens once the socket is closed
