"""POST /api/v1/petitions/offline: an agent enters a petition for a petitioner met offline (here a herder
on horseback). The answer carries the tracking code; who entered it, where and how is recorded; the
event carries no personal data; every bad request is refused without leaving anything behind."""
from __future__ import annotations

import json
import re

import pytest

from services.intake import personal, store, tracking
from shared import outbox
from tests.support.services import auth

from .helpers import VILLAGE, fields_of, petition_body, problem_of

URL = "/api/v1/petitions/offline"
TOWNSHIP = VILLAGE[:9]          # 乌里雅斯太镇
OTHER_TOWNSHIP = "152525101"    # 道特淖尔镇
AGENT = "agt-herders-1"

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def resident_id(first17: str) -> str:
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, WEIGHTS)) % 11]


HERDER_ID = resident_id("15252519750315002")
HERDER = {"name": "巴特尔", "phone": "13947901234", "id_number": HERDER_ID}


def offline_body(**overrides) -> dict:
    body = petition_body(title="草场边界纠纷", description="邻近牧户越界放牧，占用我家承包的草场，请求调解。",
                         subject="land_grassland", channel="horseback", contact=dict(HERDER),
                         entry={"place": "夏营地 3 号井"})
    body.update(overrides)
    return body


def enter(service, body=None, sub=AGENT, division=VILLAGE, role="agent", **headers):
    return service.client.post(URL, json=offline_body() if body is None else body,
                               headers={**auth(service.settings, role, sub, division), **headers})


def outbox_events(service) -> list[dict]:
    return [event for doc in service.db[store.PETITIONS].find({}) for event in doc.get(outbox.OUTBOX, [])]


@pytest.mark.parametrize("division", [VILLAGE, TOWNSHIP], ids=["village-agent", "township-agent"])
def test_an_agent_in_scope_enters_a_herders_petition_and_gets_a_tracking_code(intake, division):
    response = enter(intake, division=division)

    assert response.status_code == 201, response.get_data(as_text=True)
    petition = response.get_json()
    assert re.fullmatch(f"[{tracking.ALPHABET}]{{8}}", petition["tracking_code"])
    assert petition["channel"] == "horseback"
    assert petition["status"] == "submitted"
    assert re.fullmatch(r"152525-\d{8}-\d{5}", petition["number"])
    assert petition["entry"] == {"by": AGENT, "channel": "horseback", "place": "夏营地 3 号井", "note": "",
                                 "at": petition["received_at"]}
    assert response.headers["Location"] == f"/api/v1/petitions/{petition['id']}"


def test_the_entering_agent_sees_the_contact_and_its_mask(intake):
    petition = enter(intake).get_json()

    assert petition["contact"] == HERDER
    assert petition["contact_masked"] == {"name": "巴**", "phone": "139****1234"}


def test_the_petition_belongs_to_the_herders_identity_not_to_the_agent(intake):
    petition = enter(intake).get_json()

    stored = intake.db[store.PETITIONS].find_one({"_id": petition["id"]})
    assert stored["petitioner_ref"] == personal.identity_ref(intake.settings, HERDER)
    assert stored["entered_by"] == AGENT


def test_the_tracking_code_is_stored_only_hashed_and_sealed(intake):
    petition = enter(intake).get_json()
    code = petition["tracking_code"]

    stored = intake.db[store.PETITIONS].find_one({"_id": petition["id"]})
    assert code not in json.dumps(stored, default=str)
    assert tracking.matches(intake.settings.secret, petition["number"], code, stored["tracking"]["hash"])


def test_the_submitted_event_says_horseback_and_carries_no_personal_data(intake):
    petition = enter(intake).get_json()

    events = outbox_events(intake)
    assert [e["type"] for e in events] == ["petition.submitted"]
    event = events[0]
    assert event["data"]["channel"] == "horseback"
    assert event["data"]["petition_id"] == petition["id"]
    assert event["data"]["petitioner_ref"] == personal.identity_ref(intake.settings, HERDER)
    wire = json.dumps(event, ensure_ascii=False)
    for secret in (HERDER["name"], HERDER["phone"], HERDER_ID, HERDER_ID[-6:], "139****1234",
                   petition["tracking_code"], "夏营地"):
        assert secret not in wire
    assert not {"contact", "contact_masked", "entry", "group", "tracking"} & set(event["data"])


# ---- refusals: each leaves nothing stored -------------------------------------------------------

@pytest.fixture
def refused(intake):
    """``refused(response, status, kind, field=None)``: the problem is right and nothing was stored:
    no petition, no serial number used up, no event."""
    before = intake.stored()

    def check(response, status: int, kind: str, field: str | None = None) -> dict:
        problem = problem_of(response, status, kind)
        if field is not None:
            assert field in fields_of(problem), problem
        assert intake.stored() == before
        assert intake.db[store.PETITIONS].count_documents({}) == 0
        assert intake.db[store.SERIALS].count_documents({}) == 0
        assert outbox_events(intake) == []
        return problem
    return check


def test_an_agent_of_another_township_is_403_out_of_scope(intake, refused):
    refused(enter(intake, division=OTHER_TOWNSHIP), 403, "out-of-scope", "division")


def test_an_agent_of_a_neighbouring_village_is_403_out_of_scope(intake, refused):
    refused(enter(intake, division="152525100902"), 403, "out-of-scope", "division")


@pytest.mark.parametrize("role", ["petitioner", "department", "reporter"])
def test_only_agents_enter_offline_petitions(intake, refused, role):
    refused(enter(intake, role=role, sub="someone", division=VILLAGE), 403, "forbidden", "role")


@pytest.mark.parametrize("channel", ["mini_program", "web", "carrier_pigeon"])
def test_an_online_or_unknown_channel_is_refused_naming_channel(intake, refused, channel):
    refused(enter(intake, offline_body(channel=channel)), 422, "validation-failed", "channel")


def test_the_channel_is_required(intake, refused):
    body = offline_body()
    del body["channel"]

    refused(enter(intake, body), 422, "validation-failed", "channel")


def test_a_missing_contact_is_refused(intake, refused):
    body = offline_body()
    del body["contact"]

    refused(enter(intake, body), 422, "validation-failed", "contact")


def test_a_missing_entry_place_is_refused(intake, refused):
    refused(enter(intake, offline_body(entry={})), 422, "validation-failed", "entry.place")


def test_a_contact_without_phone_or_id_is_refused_naming_contact_phone(intake, refused):
    refused(enter(intake, offline_body(contact={"name": "巴特尔"})), 422, "validation-failed", "contact.phone")


def test_a_contact_without_a_name_is_refused(intake, refused):
    refused(enter(intake, offline_body(contact={"phone": "13947901234"})), 422, "validation-failed", "contact.name")


@pytest.mark.parametrize("phone", ["1394790123", "12947901234", "电话13947901234", "0479-822"])
def test_a_bad_phone_is_refused_naming_contact_phone(intake, refused, phone):
    refused(enter(intake, offline_body(contact={**HERDER, "phone": phone})), 422, "validation-failed",
            "contact.phone")


@pytest.mark.parametrize("id_number", [
    HERDER_ID[:-1] + str((int(HERDER_ID[-1]) + 1) % 10) if HERDER_ID[-1] != "X" else HERDER_ID[:-1] + "0",
    HERDER_ID[:17], HERDER_ID + "1", "15252519750315ABCD",
], ids=["wrong-check-digit", "17-chars", "19-chars", "letters"])
def test_a_bad_id_number_is_refused_naming_contact_id_number(intake, refused, id_number):
    refused(enter(intake, offline_body(contact={**HERDER, "id_number": id_number})), 422, "validation-failed",
            "contact.id_number")


def test_the_refusal_does_not_echo_the_personal_data_it_refused(intake, refused):
    bad_id = HERDER_ID[:17] + ("0" if HERDER_ID[-1] != "0" else "1")
    response = enter(intake, offline_body(contact={**HERDER, "id_number": bad_id}))

    refused(response, 422, "validation-failed", "contact.id_number")
    text = response.get_data(as_text=True)
    assert bad_id not in text and HERDER["name"] not in text and HERDER["phone"] not in text


def test_a_group_with_six_representatives_is_refused(intake, refused):
    group = {"size": 40, "representatives": [{"name": f"代表{i}", "phone": f"1394790123{i}"} for i in range(6)]}

    refused(enter(intake, offline_body(group=group)), 422, "validation-failed", "group.representatives")


def test_a_representative_with_a_bad_phone_is_refused(intake, refused):
    group = {"size": 40, "representatives": [{"name": "代表一", "phone": "123"}]}

    problem = refused(enter(intake, offline_body(group=group)), 422, "validation-failed")
    assert any(f.startswith("group.representatives") and f.endswith("phone") for f in fields_of(problem)), problem


def test_a_group_of_five_representatives_is_filed_with_their_names_masked(intake):
    group = {"size": 40, "representatives": [{"name": f"代表{i}号", "phone": f"1394790123{i}"} for i in range(5)]}

    response = enter(intake, offline_body(group=group))

    assert response.status_code == 201, response.get_data(as_text=True)
    shown = response.get_json()["group"]
    assert shown["size"] == 40
    assert shown["representatives"] == [{"name": "代***", "phone": f"139****123{i}"} for i in range(5)]
    assert "代表0号" not in json.dumps(intake.db[store.PETITIONS].find_one({}), ensure_ascii=False, default=str)


@pytest.mark.parametrize("location, field", [
    ({"lat": 45.2}, "location.lat"),
    ({"lon": 116.9}, "location.lat"),
    ({"lat": 95.0, "lon": 116.9}, "location.lat"),
    ({"lat": 45.2, "lon": 190.0}, "location.lon"),
])
def test_half_or_impossible_coordinates_are_refused(intake, refused, location, field):
    refused(enter(intake, offline_body(location=location)), 422, "validation-failed", field)


def test_both_coordinates_and_an_address_are_kept(intake):
    location = {"lat": 45.2, "lon": 116.9, "address": "夏营地 3 号井以东"}

    petition = enter(intake, offline_body(location=location)).get_json()

    assert petition["location"] == location


def test_an_unknown_village_is_refused_naming_division(intake, refused):
    refused(enter(intake, offline_body(division="152525100999")), 422, "validation-failed", "division")


# ---- idempotency ----------------------------------------------------------------------------------

def test_the_same_key_and_body_give_the_same_petition_and_the_same_tracking_code(intake):
    first = enter(intake, **{"Idempotency-Key": "visit-2025-04-01-1"})
    again = enter(intake, **{"Idempotency-Key": "visit-2025-04-01-1"})

    assert first.status_code == again.status_code == 201
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.get_json()["id"] == first.get_json()["id"]
    assert again.get_json()["tracking_code"] == first.get_json()["tracking_code"]
    assert again.get_json() == first.get_json()
    assert intake.db[store.PETITIONS].count_documents({}) == 1
    assert len(outbox_events(intake)) == 1


def test_the_same_key_with_another_body_is_422_and_changes_nothing(intake):
    enter(intake, **{"Idempotency-Key": "visit-1"})
    before = intake.stored()

    response = enter(intake, offline_body(title="草场边界纠纷又起"), **{"Idempotency-Key": "visit-1"})

    problem = problem_of(response, 422, "idempotency-key-reused")
    assert fields_of(problem) == {"Idempotency-Key"}
    assert intake.stored() == before
    assert len(outbox_events(intake)) == 1


def test_the_same_key_with_another_place_of_entry_is_422(intake):
    enter(intake, **{"Idempotency-Key": "visit-1"})
    before = intake.stored()

    response = enter(intake, offline_body(entry={"place": "冬营地"}), **{"Idempotency-Key": "visit-1"})

    problem_of(response, 422, "idempotency-key-reused")
    assert intake.stored() == before


def test_an_agents_key_reused_for_another_herder_is_422_not_a_second_filing(intake):
    enter(intake, **{"Idempotency-Key": "visit-1"})
    before = intake.stored()
    other_herder = offline_body(contact={"name": "其其格", "phone": "13800002222"})

    response = enter(intake, other_herder, **{"Idempotency-Key": "visit-1"})

    problem_of(response, 422, "idempotency-key-reused")
    assert intake.stored() == before


def test_two_agents_may_use_the_same_key(intake):
    first = enter(intake, **{"Idempotency-Key": "visit-1"}).get_json()

    other = enter(intake, offline_body(contact={"name": "其其格", "phone": "13800002222"}),
                  sub="agt-152525100901-2", **{"Idempotency-Key": "visit-1"})

    assert other.status_code == 201, other.get_data(as_text=True)
    assert other.get_json()["id"] != first["id"]


def test_without_a_key_a_second_entry_of_the_same_matter_is_a_possible_duplicate(intake):
    first = enter(intake).get_json()

    response = enter(intake)

    problem = problem_of(response, 409, "possible-duplicate")
    assert problem["possible_duplicate_of"]["id"] == first["id"]
    assert "tracking_code" not in problem and first["tracking_code"] not in response.get_data(as_text=True)
