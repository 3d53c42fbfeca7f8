"""Possible duplicates on submission: an open petition of the same petitioner in the same village with
similar text is answered 409 with ``possible_duplicate_of`` and nothing is filed; confirming files it
with the link kept for staff. Anything else is filed normally."""
from __future__ import annotations

import pytest

from services.intake import store
from shared import outbox
from tests.support.services import auth, make_settings

from .helpers import SIBLING_VILLAGE, VILLAGE, fields_of, petition_body, problem_of

URL = "/api/v1/petitions"
OWNER = "wx-openid-dup-owner"
SIMILAR = {"title": "村口路灯坏了", "description": "村口的路灯坏了三个多月了，晚上出行很不安全。"}
DISSIMILAR = {"title": "草场被邻村占用", "description": "我家的草场被邻村牧户越界放牧占用，请求调解。"}


def submit(service, body=None, sub=OWNER, **headers):
    return service.client.post(URL, json=body or petition_body(),
                               headers={**auth(service.settings, "petitioner", sub, VILLAGE), **headers})


def filed(service, body=None, sub=OWNER) -> dict:
    response = submit(service, body, sub)
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def events(service) -> int:
    return outbox.backlog(service.db[store.PETITIONS])


def test_a_similar_open_petition_of_the_same_petitioner_and_village_is_409_with_the_link(intake):
    first = filed(intake)
    before = intake.stored()

    response = submit(intake, petition_body(**SIMILAR))

    problem = problem_of(response, 409, "possible-duplicate")
    link = problem["possible_duplicate_of"]
    assert {k: link[k] for k in ("id", "number", "status")} == {
        "id": first["id"], "number": first["number"], "status": "submitted"}
    assert 0.5 <= link["similarity"] <= 1.0
    assert "confirm_not_duplicate" in fields_of(problem)
    assert intake.stored() == before, "no petition, no serial number used up"
    assert events(intake) == 1


def test_the_very_same_text_again_is_a_possible_duplicate_with_similarity_one(intake):
    first = filed(intake)

    problem = problem_of(submit(intake), 409, "possible-duplicate")

    assert problem["possible_duplicate_of"]["id"] == first["id"]
    assert problem["possible_duplicate_of"]["similarity"] == 1.0


def test_the_duplicate_names_the_current_status_of_the_earlier_petition(intake):
    first = filed(intake)
    intake.db[store.PETITIONS].update_one({"_id": first["id"]}, {"$set": {"status": "assigned"}})

    problem = problem_of(submit(intake, petition_body(**SIMILAR)), 409, "possible-duplicate")

    assert problem["possible_duplicate_of"]["status"] == "assigned"


def test_confirming_files_it_anyway_with_the_link_on_the_petition(intake):
    first = filed(intake)

    response = submit(intake, petition_body(**SIMILAR, confirm_not_duplicate=True))

    assert response.status_code == 201, response.get_data(as_text=True)
    second = response.get_json()
    assert second["id"] != first["id"]
    link = second["possible_duplicate_of"]
    assert (link["id"], link["number"], link["status"]) == (first["id"], first["number"], "submitted")
    assert "confirm_not_duplicate" not in intake.db[store.PETITIONS].find_one({"_id": second["id"]})
    assert intake.db[store.PETITIONS].count_documents({}) == 2 and events(intake) == 2


@pytest.mark.parametrize("role, division", [("coordinator", "152525100"), ("admin", "152500")])
def test_staff_see_the_link_when_they_read_the_petition(intake, role, division):
    first = filed(intake)
    second = filed(intake, petition_body(**SIMILAR, confirm_not_duplicate=True))

    response = intake.client.get(f"{URL}/{second['id']}", headers=auth(intake.settings, role, "staff-1", division))

    assert response.status_code == 200
    assert response.get_json()["possible_duplicate_of"]["id"] == first["id"]
    assert response.get_json()["possible_duplicate_of"]["number"] == first["number"]


def test_a_petition_filed_without_a_duplicate_has_no_link(intake):
    assert filed(intake)["possible_duplicate_of"] is None


def test_the_same_text_in_another_village_is_filed_normally(intake):
    filed(intake)

    second = filed(intake, petition_body(division=SIBLING_VILLAGE))

    assert second["possible_duplicate_of"] is None


def test_the_same_text_from_another_petitioner_is_filed_normally(intake):
    filed(intake)

    second = filed(intake, sub="wx-openid-neighbour")

    assert second["possible_duplicate_of"] is None


@pytest.mark.parametrize("status", ["closed", "routed_out"])
def test_a_finished_earlier_petition_is_no_duplicate(intake, status):
    first = filed(intake)
    intake.db[store.PETITIONS].update_one({"_id": first["id"]}, {"$set": {"status": status}})

    second = filed(intake, petition_body(**SIMILAR))

    assert second["possible_duplicate_of"] is None


def test_dissimilar_text_in_the_same_village_is_filed_normally(intake):
    filed(intake)

    second = filed(intake, petition_body(**DISSIMILAR))

    assert second["possible_duplicate_of"] is None


def test_the_most_similar_of_several_open_petitions_is_named(intake):
    filed(intake, petition_body(**DISSIMILAR))
    lamp = filed(intake)

    problem = problem_of(submit(intake, petition_body(**SIMILAR)), 409, "possible-duplicate")

    assert problem["possible_duplicate_of"]["id"] == lamp["id"]


def test_a_replayed_idempotent_request_is_not_its_own_duplicate(intake):
    first = submit(intake, petition_body(), **{"Idempotency-Key": "k-1"})
    again = submit(intake, petition_body(), **{"Idempotency-Key": "k-1"})

    assert first.status_code == again.status_code == 201
    assert again.get_json()["id"] == first.get_json()["id"]
    assert again.get_json()["possible_duplicate_of"] is None


def test_the_threshold_is_a_setting(make_service):
    strict = make_service("intake", make_settings(DAIBAN_DUPLICATE_THRESHOLD="0.95"))
    filed(strict)

    second = filed(strict, petition_body(**SIMILAR))  # about 0.7 alike: under a 0.95 threshold

    assert second["possible_duplicate_of"] is None


def test_an_agent_entering_the_same_herders_matter_twice_gets_the_duplicate(intake):
    contact = {"name": "巴特尔", "phone": "13947901234"}
    body = petition_body(channel="horseback", contact=contact, entry={"place": "夏营地"})
    headers = auth(intake.settings, "agent", "agt-1", VILLAGE)
    first = intake.client.post(f"{URL}/offline", json=body, headers=headers)
    assert first.status_code == 201
    before = intake.stored()
    same_herder = {**contact, "phone": "+86 139 4790 1234"}  # the same phone, written otherwise

    again = intake.client.post(f"{URL}/offline", json={**body, **SIMILAR, "contact": same_herder},
                               headers=auth(intake.settings, "agent", "agt-2", VILLAGE))

    problem = problem_of(again, 409, "possible-duplicate")
    assert problem["possible_duplicate_of"]["id"] == first.get_json()["id"]
    assert intake.stored() == before
