"""POST /api/v1/petitions: what a petitioner gets back, and what intake keeps."""
from __future__ import annotations

import json
import re
from datetime import date, timedelta

from services.intake import store
from shared.privacy import subject_ref
from tests.support.services import auth

from .helpers import LOCAL_APRIL_1, OTHER_BANNER_VILLAGE, VILLAGE, SteppingClock, petition_body

OPENID = "wx-openid-o6_bmjrPTlm6_2sgVt7hMZOPfL2M"


def submit(service, body=None, sub=OPENID, **headers):
    return service.client.post("/api/v1/petitions", json=body or petition_body(),
                               headers={**auth(service.settings, "petitioner", sub, VILLAGE), **headers})


def test_submitting_answers_201_with_id_number_status_and_location(intake):
    response = submit(intake)

    assert response.status_code == 201
    petition = response.get_json()
    assert petition["id"].startswith("pet-")
    assert petition["status"] == "submitted"
    assert re.fullmatch(r"152525-\d{8}-\d{5}", petition["number"])
    assert response.headers["Location"] == f"/api/v1/petitions/{petition['id']}"
    assert {k: petition[k] for k in ("title", "description", "division", "category")} == petition_body()
    assert petition["channel"] == "mini_program" and petition["language"] == "zh"
    assert petition["assigned_agent"] is None


def test_number_and_deadlines_follow_the_local_receipt_date_not_the_utc_one(make_service):
    # 2025-03-31 16:30 UTC is already 2025-04-01 in Asia/Shanghai
    intake = make_service("intake", clock=SteppingClock(LOCAL_APRIL_1))
    local_day = date(2025, 4, 1)

    petition = submit(intake).get_json()

    notice_due = local_day + timedelta(days=15)
    assert petition["number"] == "152525-20250401-00001"
    assert petition["received_at"] == "2025-04-01T00:30:00+08:00"
    assert petition["deadlines"] == {"receipt_notice_due": notice_due.isoformat(),
                                     "handling_due": (notice_due + timedelta(days=60)).isoformat()}


def test_serial_counts_per_banner_and_day(make_service):
    intake = make_service("intake", clock=SteppingClock(LOCAL_APRIL_1))

    first = submit(intake).get_json()["number"]
    second = submit(intake, petition_body(confirm_not_duplicate=True)).get_json()["number"]
    other_banner = submit(intake, petition_body(division=OTHER_BANNER_VILLAGE)).get_json()["number"]

    assert (first, second) == ("152525-20250401-00001", "152525-20250401-00002")
    assert other_banner == "152531-20250401-00001"


def test_timeline_starts_with_receipt_and_the_receipt_notice_naming_both_dates(intake):
    petition = submit(intake).get_json()

    assert [entry["kind"] for entry in petition["timeline"]] == ["received", "receipt_notice"]
    notice = petition["timeline"][1]["message"]
    assert petition["deadlines"]["receipt_notice_due"] in notice
    assert petition["deadlines"]["handling_due"] in notice
    assert all(entry["at"] == petition["received_at"] for entry in petition["timeline"])


def test_the_answer_to_the_post_is_what_a_later_get_shows(intake):
    created = submit(intake)

    again = intake.client.get(created.headers["Location"],
                              headers=auth(intake.settings, "petitioner", OPENID, VILLAGE))

    assert again.status_code == 200
    assert again.get_json() == created.get_json()


def test_stored_petition_carries_exactly_one_submitted_event_in_its_outbox(intake):
    petition = submit(intake).get_json()

    documents = list(intake.db[store.PETITIONS].find({}))
    assert [d["_id"] for d in documents] == [petition["id"]]
    (event,) = documents[0]["outbox"]
    assert event["type"] == "petition.submitted"
    assert event["division"] == VILLAGE and event["banner"] == "152525"
    assert event["correlation_id"] == petition["id"]
    assert event["data"]["petition_id"] == petition["id"]
    assert event["data"]["number"] == petition["number"]
    assert event["data"]["deadlines"] == petition["deadlines"]


def test_submitted_event_names_the_petitioner_by_reference_never_in_clear(intake):
    submit(intake)

    document = intake.db[store.PETITIONS].find_one({})
    (event,) = document["outbox"]
    assert event["data"]["petitioner_ref"] == subject_ref(intake.settings, OPENID)
    assert OPENID not in json.dumps(event, ensure_ascii=False, default=str)
    assert OPENID not in json.dumps(document, ensure_ascii=False, default=str)
