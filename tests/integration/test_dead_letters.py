"""Poison messages: retried in place, then dead-lettered with the error; listed and replayed by an
operator; invalid messages dead-lettered at once."""
from __future__ import annotations

import json

import pytest
from kombu import Queue

from services import cli
from shared.bus.connection import open_connection
from shared.bus.deadletters import list_dead_letters, replay_dead_letters
from shared.bus.topology import dead_letter_name, queue_name
from shared.metrics import ServiceMetrics
from tests.integration.helpers import Recorder, handled, publisher, queue_depth, start_consumer, submitted_event
from tests.support.waiting import wait_for

pytestmark = [pytest.mark.slow, pytest.mark.broker]


class Refused(RuntimeError):
    pass


def _queues(settings, service="reporting"):
    main = queue_name(service, settings.banners, settings.queue_prefix)
    return main, dead_letter_name(main)


def test_failing_handler_is_dead_lettered_after_the_retry_limit_and_replayed_once_fixed(amqp_settings, closing):
    main, dead = _queues(amqp_settings)
    recorder = Recorder()
    recorder.fail_with = Refused("the counter store said no")
    sleeps = []
    metrics = ServiceMetrics("reporting")
    consumer = start_consumer("reporting", amqp_settings, {"petition.submitted": recorder}, closing,
                              metrics=metrics, sleep=sleeps.append)
    event = submitted_event()
    publisher(amqp_settings, closing).publish_event(event.to_message())

    wait_for(lambda: queue_depth(amqp_settings, dead) == 1, what="the message in the dead-letter queue")
    attempts = 1 + len(amqp_settings.retry_delays)
    assert recorder.calls == attempts == 3
    assert sleeps == list(amqp_settings.retry_delays)
    assert recorder.events == []
    wait_for(lambda: handled(metrics, "reporting", "petition.submitted", "dead") == 1,
             what="the dead-letter to be counted")

    [letter] = list_dead_letters(amqp_settings, "reporting")
    assert letter.message_id == event.id
    assert letter.event_type == "petition.submitted"
    assert letter.body == event.to_message()
    assert letter.attempts == attempts
    assert letter.error == "Refused: the counter store said no"
    assert letter.failed_at
    assert queue_depth(amqp_settings, dead) == 1, "listing must leave the dead letters in place"
    raw = _peek_headers(amqp_settings, dead)
    assert raw["x-daiban-error"] == "Refused: the counter store said no"
    assert raw["x-daiban-attempts"] == attempts
    assert raw["x-daiban-queue"] == main
    assert raw["x-daiban-routing-key"] == "petition.submitted.152531"
    assert "Refused" in raw["x-daiban-traceback"]

    recorder.fail_with = None  # the bug is fixed
    assert replay_dead_letters(amqp_settings, "reporting") == 1

    recorder.wait_for_ids([event.id])
    assert recorder.ids == [event.id]
    assert recorder.calls == attempts + 1
    assert list_dead_letters(amqp_settings, "reporting") == []
    consumer.stop()  # an unacked message would go back to the queue now
    assert queue_depth(amqp_settings, main) == 0
    assert queue_depth(amqp_settings, dead) == 0


def test_invalid_messages_are_dead_lettered_at_once_without_retries(amqp_settings, closing):
    main, dead = _queues(amqp_settings)
    recorder = Recorder()
    sleeps = []
    start_consumer("reporting", amqp_settings, {"petition.submitted": recorder}, closing, sleep=sleeps.append)
    pub = publisher(amqp_settings, closing)
    unknown = {**submitted_event().to_message(), "type": "petition.vanished"}
    broken_data = submitted_event().to_message()
    broken_data["data"] = {**broken_data["data"], "category": "gossip"}
    bad_envelope = {**submitted_event().to_message(), "banner": "999999"}

    pub.publish_to_queue(main, ["not", "an", "object"], {}, message_id="m-list")
    pub.publish_to_queue(main, unknown, {}, message_id=unknown["id"])
    pub.publish_to_queue(main, broken_data, {}, message_id=broken_data["id"])
    pub.publish_to_queue(main, bad_envelope, {}, message_id=bad_envelope["id"])

    wait_for(lambda: queue_depth(amqp_settings, dead) == 4, what="4 invalid messages dead-lettered")
    letters = {letter.message_id: letter for letter in list_dead_letters(amqp_settings, "reporting")}
    assert set(letters) == {"m-list", unknown["id"], broken_data["id"], bad_envelope["id"]}
    assert all(letter.attempts == 0 for letter in letters.values())
    assert all(letter.error.startswith("InvalidEvent: ") for letter in letters.values())
    assert "unknown event type 'petition.vanished'" in letters[unknown["id"]].error
    assert letters[unknown["id"]].event_type == "petition.vanished"
    assert letters["m-list"].event_type == "unknown"
    assert recorder.calls == 0
    assert sleeps == []


def test_dead_letters_command_lists_and_replays_chosen_messages(amqp_settings, closing, monkeypatch, capsys):
    main, dead = _queues(amqp_settings, "notify")
    recorder = Recorder()
    recorder.fail_with = Refused("no channel")
    consumer = start_consumer("notify", amqp_settings, {"petition.submitted": recorder}, closing)
    kept, replayed = submitted_event(), submitted_event()
    pub = publisher(amqp_settings, closing)
    for event in (kept, replayed):
        pub.publish_event(event.to_message())
    wait_for(lambda: queue_depth(amqp_settings, dead) == 2, what="both messages dead-lettered")
    for name, value in {"AMQP_URL": amqp_settings.amqp_url, "DAIBAN_QUEUE_PREFIX": amqp_settings.queue_prefix,
                        "DAIBAN_EXCHANGE": amqp_settings.exchange, "DAIBAN_LOG_LEVEL": "WARNING"}.items():
        monkeypatch.setenv(name, value)

    capsys.readouterr()
    assert cli.main(["dead-letters", "list", "notify"]) == 0
    listed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {row["id"]: (row["type"], row["attempts"], row["error"]) for row in listed} == {
        kept.id: ("petition.submitted", 3, "Refused: no channel"),
        replayed.id: ("petition.submitted", 3, "Refused: no channel")}

    recorder.fail_with = None
    assert cli.main(["dead-letters", "replay", "notify", "--id", replayed.id]) == 0
    assert capsys.readouterr().out.strip() == "replayed 1"
    recorder.wait_for_ids([replayed.id])
    assert [letter.message_id for letter in list_dead_letters(amqp_settings, "notify")] == [kept.id]
    consumer.stop()
    assert recorder.ids == [replayed.id]
    assert queue_depth(amqp_settings, main) == 0


def _peek_headers(settings, queue) -> dict:
    """The headers of the first message of ``queue``, which stays there."""
    with open_connection(settings) as connection:
        message = Queue(queue)(connection.channel()).get(no_ack=False)
        headers = dict(message.headers)
        message.requeue()
    return headers
