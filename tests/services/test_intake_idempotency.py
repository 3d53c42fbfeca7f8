"""Idempotency-Key on POST /api/v1/petitions: the same key and body give the same answer; the same key
with another body is refused; keys belong to one petitioner."""
from __future__ import annotations

from services.intake import store
from shared import outbox
from tests.support.services import auth

from .helpers import VILLAGE, fields_of, petition_body, problem_of

URL = "/api/v1/petitions"


def post(service, body, key, sub="wx-openid-1"):
    headers = {**auth(service.settings, "petitioner", sub, VILLAGE), "Idempotency-Key": key}
    return service.client.post(URL, json=body, headers=headers)


def petitions(service) -> int:
    return service.db[store.PETITIONS].count_documents({})


def test_same_key_and_body_give_the_same_petition_once(intake):
    first = post(intake, petition_body(), "key-1")
    again = post(intake, petition_body(), "key-1")

    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json()
    assert again.headers["Location"] == first.headers["Location"]
    assert petitions(intake) == 1
    assert outbox.backlog(intake.db[store.PETITIONS]) == 1


def test_a_default_spelled_out_is_the_same_body(intake):
    first = post(intake, petition_body(), "key-1")
    again = post(intake, petition_body(channel="mini_program", language="zh"), "key-1")

    assert again.get_json()["id"] == first.get_json()["id"]
    assert petitions(intake) == 1


def test_same_key_with_another_body_is_422_and_changes_nothing(intake):
    first = post(intake, petition_body(), "key-1")
    before = intake.stored()

    response = post(intake, petition_body(title="另一件事情"), "key-1")

    problem = problem_of(response, 422, "idempotency-key-reused")
    assert fields_of(problem) == {"Idempotency-Key"}
    assert intake.stored() == before
    assert outbox.backlog(intake.db[store.PETITIONS]) == 1
    assert intake.db[store.PETITIONS].find_one({})["_id"] == first.get_json()["id"]


def test_different_petitioners_may_use_the_same_key(intake):
    mine = post(intake, petition_body(), "key-1", sub="wx-openid-1")
    theirs = post(intake, petition_body(), "key-1", sub="wx-openid-2")

    assert mine.status_code == theirs.status_code == 201
    assert mine.get_json()["id"] != theirs.get_json()["id"]
    assert mine.get_json()["number"] != theirs.get_json()["number"]
    assert petitions(intake) == 2


def test_without_a_key_each_post_is_a_new_petition(intake):
    headers = auth(intake.settings, "petitioner", "wx-openid-1", VILLAGE)

    ids = {intake.client.post(URL, json=petition_body(confirm_not_duplicate=True), headers=headers).get_json()["id"]
           for _ in range(2)}

    assert len(ids) == 2
    assert petitions(intake) == 2


def test_an_overlong_key_is_refused(intake):
    response = post(intake, petition_body(), "k" * 129)

    problem = problem_of(response, 400, "invalid-idempotency-key")
    assert fields_of(problem) == {"Idempotency-Key"}
    assert petitions(intake) == 0
