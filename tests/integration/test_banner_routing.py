"""Per-banner routing: a worker started with DAIBAN_BANNERS gets only its banners' events."""
from __future__ import annotations

import dataclasses

import pytest

from services.registry import SPECS
from services.reporting import store as reporting_store
from shared.bus.topology import queue_name
from tests.integration.helpers import (VILLAGE_152525, VILLAGE_152531, Recorder, handled, publisher,
                                       queue_depth, start_consumer, start_runtime, submitted_event)
from tests.support.services import make_settings
from tests.support.waiting import wait_for

pytestmark = [pytest.mark.slow, pytest.mark.broker]


def test_banner_worker_consumes_only_its_own_banner(amqp_settings, closing):
    by_banner = {}
    for banners in ("152531", "152525", ""):
        settings = dataclasses.replace(amqp_settings, banners=tuple(filter(None, [banners])))
        recorder = Recorder()
        start_consumer("reporting", settings, {"petition.submitted": recorder}, closing)
        by_banner[banners] = (settings, recorder)
    pub = publisher(amqp_settings, closing)

    events = {"152531": [submitted_event(VILLAGE_152531) for _ in range(3)],
              "152525": [submitted_event(VILLAGE_152525) for _ in range(2)]}
    for first, second in zip(events["152531"], events["152525"] + [None]):
        pub.publish_event(first.to_message())
        if second is not None:
            pub.publish_event(second.to_message())
    # a last event per banner: once a worker has it, everything routed to it before has arrived too
    markers = {banner: submitted_event(village)
               for banner, village in (("152531", VILLAGE_152531), ("152525", VILLAGE_152525))}
    for marker in markers.values():
        pub.publish_event(marker.to_message())

    everything = [e.id for banner in ("152531", "152525") for e in events[banner] + [markers[banner]]]
    for banner, (settings, recorder) in by_banner.items():
        expected = [e.id for e in events[banner] + [markers[banner]]] if banner else everything
        recorder.wait_for_ids(expected)
        assert sorted(recorder.ids) == sorted(expected), f"worker for banners {banner or 'all'}"
        assert recorder.id_counts().most_common(1)[0][1] == 1

    assert {queue_name("reporting", s.banners, s.queue_prefix) for s, _ in by_banner.values()} == {
        f"{amqp_settings.queue_prefix}.reporting.152531", f"{amqp_settings.queue_prefix}.reporting.152525",
        f"{amqp_settings.queue_prefix}.reporting"}
    for settings, _ in by_banner.values():
        wait_for(lambda: queue_depth(settings, queue_name("reporting", settings.banners,
                                                          settings.queue_prefix)) == 0,
                 what="the worker's queue to drain")


def test_banner_reporting_runtimes_count_only_their_own_banner(amqp_url, closing):
    base = make_settings(AMQP_URL=amqp_url)
    shared = {"DAIBAN_QUEUE_PREFIX": base.queue_prefix, "DAIBAN_EXCHANGE": base.exchange}
    east = make_settings(AMQP_URL=amqp_url, DAIBAN_BANNERS="152525", **shared)
    white = make_settings(AMQP_URL=amqp_url, DAIBAN_BANNERS="152531", **shared)
    runtimes = {"152525": start_runtime(SPECS["reporting"], east, closing, relay=False),
                "152531": start_runtime(SPECS["reporting"], white, closing, relay=False)}
    pub = publisher(base, closing)

    for village in (VILLAGE_152531, VILLAGE_152525, VILLAGE_152525, VILLAGE_152531, VILLAGE_152525):
        pub.publish_event(submitted_event(village).to_message())
    # published last: once a worker applied its marker, all that was routed to it has been handled
    markers = {"152531": submitted_event(VILLAGE_152531), "152525": submitted_event(VILLAGE_152525)}
    for marker in markers.values():
        pub.publish_event(marker.to_message())

    for banner, marker in markers.items():
        db = runtimes[banner].db
        wait_for(lambda: db[reporting_store.DAILY].find_one({"applied": marker.id}),
                 what=f"the {banner} worker to count its last petition")
    white_db, east_db = runtimes["152531"].db, runtimes["152525"].db
    assert reporting_store.summary(white_db, "152531", None, None)["submitted"] == 3
    assert reporting_store.summary(white_db, "152525", None, None)["submitted"] == 0
    assert reporting_store.summary(east_db, "152525", None, None)["submitted"] == 4
    assert reporting_store.summary(east_db, "152531", None, None)["submitted"] == 0
    assert handled(runtimes["152531"], "reporting", "petition.submitted") == 3
    assert handled(runtimes["152525"], "reporting", "petition.submitted") == 4
