"""Reading petitions: the owner and staff in scope see one; everyone else is told it does not exist.
Listing: a petitioner's own, newest first, a page at a time. Accept-Language picks the timeline's language."""
from __future__ import annotations

import re

import pytest

from tests.support.services import auth

from .helpers import LOCAL_APRIL_1, OTHER_BANNER_VILLAGE, VILLAGE, SteppingClock, petition_body, problem_of

URL = "/api/v1/petitions"
CJK = re.compile(r"[\u4e00-\u9fff]")


def submit(service, sub="wx-owner", division=VILLAGE):
    headers = auth(service.settings, "petitioner", sub, VILLAGE)
    # the same text again is a deliberate new filing here, not a duplicate
    response = service.client.post(URL, json=petition_body(division=division, confirm_not_duplicate=True),
                                   headers=headers)
    assert response.status_code == 201
    return response.get_json()


def read(service, petition_id, role, sub, division=VILLAGE, **headers):
    headers = {**auth(service.settings, role, sub, division), **headers}
    return service.client.get(f"{URL}/{petition_id}", headers=headers)


def test_the_owner_reads_their_petition(intake):
    petition = submit(intake)

    response = read(intake, petition["id"], "petitioner", "wx-owner")

    assert response.status_code == 200
    assert response.get_json()["id"] == petition["id"]
    assert response.get_json()["number"] == petition["number"]


def test_another_petitioner_is_told_it_does_not_exist(intake):
    petition = submit(intake)

    response = read(intake, petition["id"], "petitioner", "wx-stranger")

    problem = problem_of(response, 404, "not-found")
    assert petition["number"] not in response.get_data(as_text=True)
    assert problem["errors"] == problem_of(read(intake, "pet-nope", "petitioner", "wx-stranger"),
                                           404, "not-found")["errors"]


@pytest.mark.parametrize("role, division", [
    ("coordinator", "152525100"),      # the township
    ("coordinator", "152525"),         # the banner
    ("mediator", "152525100"),
    ("admin", "152500"),
])
def test_handling_staff_whose_division_covers_the_village_read_it(intake, role, division):
    petition = submit(intake)

    response = read(intake, petition["id"], role, "staff-1", division)

    assert response.status_code == 200
    assert response.get_json()["id"] == petition["id"]


@pytest.mark.parametrize("role, division", [
    ("coordinator", "152525101"),      # the neighbouring township
    ("coordinator", "152531"),         # another banner
    ("agent", "152525100902"),         # another village code
    ("agent", VILLAGE),                # the village, but the agent does not hold it
])
def test_staff_outside_the_division_or_not_holding_it_are_told_it_does_not_exist(intake, role, division):
    petition = submit(intake)

    response = read(intake, petition["id"], role, "staff-1", division)

    problem_of(response, 404, "not-found")


@pytest.mark.parametrize("role", ["reporter", "department"])
def test_reporters_and_departments_never_read_a_raw_petition(intake, role):
    petition = submit(intake)

    problem_of(read(intake, petition["id"], role, "staff-1", "152500"), 403, "forbidden")


def test_an_unknown_petition_is_404(intake):
    problem_of(read(intake, "pet-0000", "admin", "admin-1", "152500"), 404, "not-found")


def test_a_petitioner_lists_only_their_own_newest_first(make_service):
    intake = make_service("intake", clock=SteppingClock(LOCAL_APRIL_1))
    mine = [submit(intake, "wx-owner")["id"] for _ in range(3)]
    theirs = submit(intake, "wx-stranger", OTHER_BANNER_VILLAGE)["id"]

    response = intake.client.get(URL, headers=auth(intake.settings, "petitioner", "wx-owner", VILLAGE))

    assert response.status_code == 200
    page = response.get_json()
    assert (page["page"], page["per_page"], page["total"]) == (1, 20, 3)
    assert [p["id"] for p in page["items"]] == list(reversed(mine))
    assert theirs not in {p["id"] for p in page["items"]}


def test_the_list_is_paginated(make_service):
    intake = make_service("intake", clock=SteppingClock(LOCAL_APRIL_1))
    mine = {submit(intake)["id"] for _ in range(5)}
    headers = auth(intake.settings, "petitioner", "wx-owner", VILLAGE)

    pages = [intake.client.get(URL, query_string={"page": n, "per_page": 2}, headers=headers).get_json()
             for n in (1, 2, 3, 4)]

    assert [len(p["items"]) for p in pages] == [2, 2, 1, 0]
    assert {p["total"] for p in pages} == {5}
    assert [(p["page"], p["per_page"]) for p in pages] == [(1, 2), (2, 2), (3, 2), (4, 2)]
    assert {item["id"] for p in pages for item in p["items"]} == mine


@pytest.mark.parametrize("query, field", [({"per_page": 0}, "per_page"), ({"per_page": 101}, "per_page"),
                                          ({"page": 0}, "page"), ({"page": "two"}, "page")])
def test_bad_paging_is_422_naming_the_parameter(intake, query, field):
    response = intake.client.get(URL, query_string=query,
                                 headers=auth(intake.settings, "petitioner", "wx-owner", VILLAGE))

    problem = problem_of(response, 422, "validation-failed")
    assert field in {e["field"] for e in problem["errors"]}


def test_staff_cannot_list_petitioners_petitions(intake):
    problem_of(intake.client.get(URL, headers=auth(intake.settings, "coordinator", "c-1", "152525")),
               403, "forbidden")


def test_timeline_is_chinese_by_default_and_english_when_asked(intake):
    petition = submit(intake)

    chinese = read(intake, petition["id"], "petitioner", "wx-owner").get_json()["timeline"]
    english = read(intake, petition["id"], "petitioner", "wx-owner",
                   **{"Accept-Language": "en-GB,en;q=0.9"}).get_json()["timeline"]

    assert all(CJK.search(entry["message"]) for entry in chinese)
    assert english[0]["message"] == "Your petition has been submitted and received."
    assert not any(CJK.search(entry["message"]) for entry in english)
    assert petition["deadlines"]["receipt_notice_due"] in english[1]["message"]
    assert [e["kind"] for e in english] == [e["kind"] for e in chinese]


def test_english_is_also_given_on_submission(intake):
    headers = {**auth(intake.settings, "petitioner", "wx-owner", VILLAGE), "Accept-Language": "en"}

    petition = intake.client.post(URL, json=petition_body(), headers=headers).get_json()

    assert petition["timeline"][0]["message"] == "Your petition has been submitted and received."
