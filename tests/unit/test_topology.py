"""Queue names, binding keys and queue arguments: who listens to what."""
from __future__ import annotations

from shared import config
from shared.bus.topology import binding_keys, dead_letter_name, queue_name, service_queues

AMQP = "amqp://guest:guest@localhost:5672/daiban"


def test_a_service_consuming_every_banner_has_one_queue_named_after_it():
    assert queue_name("assignment") == "daiban.assignment"
    assert queue_name("assignment", prefix="t1") == "t1.assignment"


def test_a_service_consuming_some_banners_has_a_queue_per_sorted_banner_set():
    assert queue_name("assignment", ["152531", "152502"]) == "daiban.assignment.152502-152531"
    assert queue_name("assignment", ["152502", "152531"]) == queue_name("assignment", ["152531", "152502"])


def test_dead_letters_go_to_a_queue_named_after_the_main_one():
    assert dead_letter_name("daiban.notify") == "daiban.notify.dead"


def test_without_banners_each_type_is_bound_for_every_banner():
    assert binding_keys(["petition.submitted", "mediation.requested"]) == [
        "mediation.requested.*", "petition.submitted.*"]


def test_with_banners_each_type_is_bound_once_per_banner():
    assert binding_keys(["petition.assigned"], ["152531", "152502"]) == [
        "petition.assigned.152502", "petition.assigned.152531"]


def test_the_memory_bus_declares_plain_queues():
    settings = config.load({"DAIBAN_BANNERS": "152531"})
    queues = service_queues(settings, "notify", ["petition.assigned"])
    assert queues.main.name == "daiban.notify.152531"
    assert queues.dead.name == "daiban.notify.152531.dead"
    assert [b.routing_key for b in queues.main.bindings] == ["petition.assigned.152531"]
    assert not queues.main.queue_arguments
    assert not queues.dead.queue_arguments
    assert queues.main.durable and not queues.main.auto_delete


def test_rabbitmq_gets_quorum_queues_with_a_delivery_limit_that_dead_letters():
    settings = config.load({"AMQP_URL": AMQP, "DAIBAN_DELIVERY_LIMIT": "7", "DAIBAN_QUEUE_PREFIX": "dq"})
    queues = service_queues(settings, "reporting", ["petition.submitted"])
    assert queues.main.queue_arguments == {"x-queue-type": "quorum", "x-delivery-limit": 7,
                                           "x-dead-letter-exchange": "", "x-dead-letter-routing-key": "dq.reporting.dead"}
    assert queues.dead.queue_arguments == {"x-queue-type": "quorum"}
    assert [b.routing_key for b in queues.main.bindings] == ["petition.submitted.*"]
    assert {b.exchange.name for b in queues.main.bindings} == {settings.exchange}
