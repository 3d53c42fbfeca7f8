"""Per-banner scaling of assignment over the real RabbitMQ: two assignment workers, one started with
DAIBAN_BANNERS=152531 (多伦县) and one with DAIBAN_BANNERS=152525 (东乌珠穆沁旗), each with its own store,
on the same exchange. Each opens and matches only its own banner's petitions, and both publish their
petition.assigned events to the one exchange."""
from __future__ import annotations

import pytest

from services.assignment import store as assignment_store
from services.registry import SPECS
from shared.bus.topology import queue_name
from tests.integration.helpers import (VILLAGE_152525, VILLAGE_152531, Recorder, handled, publisher, queue_depth,
                                       start_consumer, start_runtime, submitted_event)
from tests.support.services import make_settings
from tests.support.waiting import wait_for

pytestmark = [pytest.mark.slow, pytest.mark.broker]

BANNERS = ("152531", "152525")
VILLAGES = {"152531": VILLAGE_152531, "152525": VILLAGE_152525}  # 示例一村 of 大北沟镇 / of 乌里雅斯太镇


def opened(runtime) -> set[str]:
    return {doc["_id"] for doc in runtime.db[assignment_store.ASSIGNMENTS].find({}, {"_id": 1})}


def test_each_banner_worker_opens_assignments_only_for_its_own_banner(amqp_url, closing):
    base = make_settings(AMQP_URL=amqp_url)
    same_bus = {"DAIBAN_QUEUE_PREFIX": base.queue_prefix, "DAIBAN_EXCHANGE": base.exchange}
    settings = {banner: make_settings(AMQP_URL=amqp_url, DAIBAN_BANNERS=banner, **same_bus) for banner in BANNERS}
    workers = {banner: start_runtime(SPECS["assignment"], settings[banner], closing) for banner in BANNERS}
    assert workers["152531"].db is not workers["152525"].db
    # a listener on the same exchange for what the workers publish
    assigned = Recorder()
    start_consumer("notify", base, {"petition.assigned": assigned}, closing)
    pub = publisher(base, closing)

    petitions = {"152531": [submitted_event(VILLAGE_152531) for _ in range(3)],
                 "152525": [submitted_event(VILLAGE_152525) for _ in range(2)]}
    for first, second in zip(petitions["152531"], petitions["152525"] + [None]):
        pub.publish_event(first.to_message())
        if second is not None:
            pub.publish_event(second.to_message())
    ids = {banner: {e.correlation_id for e in events} for banner, events in petitions.items()}

    for banner, worker in workers.items():
        wait_for(lambda: opened(worker) >= ids[banner], timeout=15,
                 what=f"the {banner} worker to open its banner's assignments")
    everything = ids["152531"] | ids["152525"]
    wait_for(lambda: {e.correlation_id for e in assigned.events} >= everything, timeout=15,
             what="petition.assigned for every petition on the shared exchange")

    for banner, worker in workers.items():
        assert opened(worker) == ids[banner], f"the {banner} worker opened another banner's petitions"
        docs = list(worker.db[assignment_store.ASSIGNMENTS].find())
        assert {d["banner"] for d in docs} == {banner}
        assert all(d["holder"]["division"].startswith(VILLAGES[banner][:9]) for d in docs)
        assert handled(worker, "assignment", "petition.submitted") == len(ids[banner])
        assert handled(worker, "assignment", "petition.submitted", "error") == 0
        wait_for(lambda: queue_depth(settings[banner], queue_name("assignment", (banner,), base.queue_prefix)) == 0,
                 what=f"the {banner} worker's queue to drain")

    by_petition = {}
    for event in assigned.events:
        by_petition.setdefault(event.correlation_id, []).append(event)
    assert set(by_petition) == everything
    for petition_id, events in by_petition.items():
        assert len(events) == 1, f"{petition_id} was assigned more than once"
        banner = next(b for b in BANNERS if petition_id in ids[b])
        assert events[0].banner == banner and events[0].division == VILLAGES[banner]
        assert events[0].data["agent"]["division"].startswith(VILLAGES[banner][:9])


def test_a_banner_worker_queue_is_bound_to_its_banner_only(amqp_url, closing):
    base = make_settings(AMQP_URL=amqp_url)
    east = make_settings(AMQP_URL=amqp_url, DAIBAN_BANNERS="152525", DAIBAN_QUEUE_PREFIX=base.queue_prefix,
                         DAIBAN_EXCHANGE=base.exchange)
    worker = start_runtime(SPECS["assignment"], east, closing)
    pub = publisher(base, closing)

    duolun = [submitted_event(VILLAGE_152531) for _ in range(4)]
    for event in duolun:
        pub.publish_event(event.to_message())
    marker = submitted_event(VILLAGE_152525)
    pub.publish_event(marker.to_message())  # published last: once it is handled, the others had their chance

    wait_for(lambda: marker.correlation_id in opened(worker), timeout=15, what="the 152525 worker's petition")
    assert opened(worker) == {marker.correlation_id}
    assert handled(worker, "assignment", "petition.submitted") == 1
    assert queue_name("assignment", east.banners, east.queue_prefix) == f"{base.queue_prefix}.assignment.152525"
