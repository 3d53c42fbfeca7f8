"""A dropped broker connection only delays events: the relay keeps them in the outbox while the broker
is unreachable and publishes them once it is back; a consumer reconnects and keeps consuming."""
from __future__ import annotations

import pytest

from services.registry import SPECS
from tests.integration.helpers import (VILLAGE_152531, Recorder, publisher, start_consumer, start_runtime,
                                       submitted_event)
from tests.support import broker
from tests.support.services import auth, make_settings
from tests.support.waiting import wait_for

pytestmark = [pytest.mark.slow, pytest.mark.broker]


def _same_names(settings, **env):
    return make_settings(DAIBAN_QUEUE_PREFIX=settings.queue_prefix, DAIBAN_EXCHANGE=settings.exchange,
                         DAIBAN_DB_PREFIX=settings.db_prefix, **env)


def _failures(rt) -> float:
    return rt.metrics.registry.get_sample_value("daiban_publish_failures_total", {"service": "intake"}) or 0.0


def test_relay_keeps_events_in_the_outbox_while_the_broker_is_cut_and_publishes_them_after(
        vhost, proxy, proxied_url, closing):
    behind_proxy = make_settings(AMQP_URL=proxied_url)
    direct = _same_names(behind_proxy, AMQP_URL=broker.url_for(vhost))
    received = Recorder()
    start_consumer("assignment", direct, {"petition.submitted": received}, closing)
    rt = start_runtime(SPECS["intake"], behind_proxy, closing)
    client = rt.app().test_client()
    headers = auth(behind_proxy, "petitioner", "u-outage", VILLAGE_152531)

    def submit(n: int) -> list[str]:
        ids = []
        for i in range(n):
            answer = client.post("/api/v1/petitions", headers=headers, json={
                "title": f"饮水问题 {i}", "description": "村里的水井坏了，需要修理。",
                "division": VILLAGE_152531, "category": "suggestion", "confirm_not_duplicate": True})
            assert answer.status_code == 201, answer.get_json()
            ids.append(answer.get_json()["id"])
        return ids

    def arrived() -> set[str]:
        return {e.correlation_id for e in received.events}

    before = submit(3)
    wait_for(lambda: set(before) <= arrived(), what="the first petitions at the consumer")
    wait_for(lambda: rt.relay.backlog() == 0, what="the outbox to empty")

    proxy.cut()  # every connection through the proxy is reset; new ones are refused
    during = submit(3)
    wait_for(lambda: _failures(rt) >= 1, what="the relay to fail to publish")
    assert rt.relay.backlog() == 3, "events the broker did not confirm must stay in the outbox"
    assert not set(during) & arrived()

    proxy.restore()
    wait_for(lambda: set(during) <= arrived(), timeout=15, what="the events of the outage at the consumer")
    wait_for(lambda: rt.relay.backlog() == 0, what="the outbox to empty after the outage")
    counts = {pid: [e.correlation_id for e in received.events].count(pid) for pid in before + during}
    assert all(n >= 1 for n in counts.values()), counts
    assert arrived() == set(before + during)
    after = submit(1)
    wait_for(lambda: set(after) <= arrived(), what="a petition after the outage at the consumer")


def test_consumer_behind_the_proxy_reconnects_after_a_cut_and_keeps_consuming(vhost, proxy, proxied_url,
                                                                              closing):
    behind_proxy = make_settings(AMQP_URL=proxied_url)
    direct = _same_names(behind_proxy, AMQP_URL=broker.url_for(vhost))
    received = Recorder()
    consumer = start_consumer("reporting", behind_proxy, {"petition.submitted": received}, closing)
    pub = publisher(direct, closing)
    first, while_cut, after = (submitted_event() for _ in range(3))

    pub.publish_event(first.to_message())
    received.wait_for_ids([first.id])

    proxy.cut()
    wait_for(lambda: not consumer.ready.is_set(), what="the consumer to notice the cut")
    pub.publish_event(while_cut.to_message())  # waits in the durable queue
    assert while_cut.id not in received.ids

    proxy.restore()
    assert consumer.ready.wait(15), "the consumer did not reconnect"
    received.wait_for_ids([while_cut.id])
    pub.publish_event(after.to_message())
    received.wait_for_ids([after.id])
    assert set(received.ids) == {first.id, while_cut.id, after.id}
    assert proxy.accepted >= 2  # it did come back through the proxy, on a new connection
