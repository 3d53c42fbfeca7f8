"""GET /api/v1/tracking?number=&code=: a petitioner without an account follows a petition an agent
entered for them. A wrong code reveals nothing (the same answer as an unknown number), guessing is
limited per number and per client address, and the answer shows contact details only masked."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from services.intake import store, tracking, tracking_store
from shared.events import utcnow
from tests.support.services import auth, make_settings

from .helpers import VILLAGE, Service, SteppingClock, fields_of, petition_body, problem_of

URL = "/api/v1/tracking"
WINDOW = 600
ATTEMPTS = 3
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def resident_id(first17: str) -> str:
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, WEIGHTS)) % 11]


HERDER = {"name": "其木格", "phone": "15847912345", "id_number": resident_id("15252519880808004")}


@pytest.fixture
def clock():
    """Stands still, 100 s into a window a day ahead: the attempt counters expire (TTL index) by the
    store's own clock, which must not think them expired already."""
    ahead = int(utcnow().timestamp()) // WINDOW * WINDOW + 86400 // WINDOW * WINDOW
    return SteppingClock(datetime.fromtimestamp(ahead + 100, timezone.utc), step=timedelta(0))


@pytest.fixture
def intake(make_service, clock):
    settings = make_settings(DAIBAN_TRACKING_ATTEMPTS=str(ATTEMPTS), DAIBAN_TRACKING_WINDOW=str(WINDOW))
    return make_service("intake", settings, clock=clock)


def enter(service, **overrides) -> dict:
    body = petition_body(channel="horseback", contact=dict(HERDER), entry={"place": "冬营地"},
                         location={"lat": 45.1, "lon": 116.5, "address": "冬营地东 2 公里"}, **overrides)
    response = service.client.post("/api/v1/petitions/offline", json=body,
                                   headers=auth(service.settings, "agent", "agt-1", VILLAGE))
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def look_up(service, number, code, client="203.0.113.7", **headers):
    return service.client.get(URL, query_string={"number": number, "code": code}, headers=headers,
                              environ_base={"REMOTE_ADDR": client})


def other_code(code: str) -> str:
    return "".join(tracking.ALPHABET[(tracking.ALPHABET.index(c) + 1) % len(tracking.ALPHABET)] for c in code)


def test_number_and_code_show_the_status_and_the_timeline(intake):
    petition = enter(intake)

    response = look_up(intake, petition["number"], petition["tracking_code"])

    assert response.status_code == 200, response.get_data(as_text=True)
    shown = response.get_json()
    assert shown["id"] == petition["id"] and shown["number"] == petition["number"]
    assert shown["status"] == "submitted"
    assert [e["kind"] for e in shown["timeline"]] == ["received", "receipt_notice"]
    assert shown["timeline"] == petition["timeline"]
    assert shown["deadlines"] == petition["deadlines"]


def test_the_tracking_answer_shows_the_contact_only_masked(intake):
    petition = enter(intake, group={"size": 12, "representatives": [{"name": "乌日娜", "phone": "13604791111"}]})

    response = look_up(intake, petition["number"], petition["tracking_code"])

    shown = response.get_json()
    assert shown["contact"] is None
    assert shown["contact_masked"] == {"name": "其**", "phone": "158****2345"}
    assert shown["group"]["representatives"] == [{"name": "乌**", "phone": "136****1111"}]
    text = response.get_data(as_text=True)
    for clear in (*HERDER.values(), "乌日娜", "13604791111", "tracking_code", petition["tracking_code"]):
        assert clear not in text
    assert json.loads(text)  # the masked view is a whole petition document, not an error


def test_the_timeline_follows_accept_language(intake):
    petition = enter(intake)

    shown = look_up(intake, petition["number"], petition["tracking_code"], **{"Accept-Language": "en"}).get_json()

    assert shown["timeline"][0]["message"] == "Your petition has been submitted and received."


@pytest.mark.parametrize("spell", [str.lower, lambda c: f" {c[:4]} {c[4:]} ", lambda c: f"{c[:4]}-{c[4:]}"],
                         ids=["lower-case", "spaced", "dashed"])
def test_the_code_may_be_typed_in_lower_case_spaced_or_dashed(intake, spell):
    petition = enter(intake)

    response = look_up(intake, petition["number"], spell(petition["tracking_code"]))

    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["id"] == petition["id"]


def test_a_wrong_code_and_an_unknown_number_get_the_same_404(intake):
    petition = enter(intake)
    number = petition["number"]
    unknown_number = number[:-5] + "99999"

    wrong = look_up(intake, number, other_code(petition["tracking_code"]))
    unknown = look_up(intake, unknown_number, petition["tracking_code"])

    problem_of(wrong, 404, "not-found")
    problem_of(unknown, 404, "not-found")
    assert {k: v for k, v in wrong.get_json().items() if k != "instance"} == \
           {k: v for k, v in unknown.get_json().items() if k != "instance"}
    assert wrong.get_data() == unknown.get_data()  # instance is the path: byte-identical as a whole
    assert fields_of(wrong.get_json()) == {"code"}
    for text in (wrong.get_data(as_text=True), unknown.get_data(as_text=True)):
        assert number not in text and petition["id"] not in text and "其" not in text


def test_the_code_of_one_petition_does_not_open_another(intake):
    first = enter(intake)
    second = enter(intake, confirm_not_duplicate=True)

    problem_of(look_up(intake, second["number"], first["tracking_code"]), 404, "not-found")
    assert look_up(intake, second["number"], second["tracking_code"]).status_code == 200


def test_an_online_petition_is_never_found_by_tracking(intake):
    created = intake.client.post("/api/v1/petitions", json=petition_body(),
                                 headers=auth(intake.settings, "petitioner", "wx-online", VILLAGE))
    assert created.status_code == 201
    number = created.get_json()["number"]
    assert intake.db[store.PETITIONS].find_one({"number": number}).get("tracking") is None

    for code in ("23456789", "AAAAAAAA", "ZZZZZZZZ"):
        problem_of(look_up(intake, number, code, client=f"198.51.100.{len(code)}{code[0]}"), 404, "not-found")


@pytest.mark.parametrize("query, field", [
    ({"number": "152525-2025-1", "code": "ABCDEFGH"}, "number"),
    ({"number": "pet-123", "code": "ABCDEFGH"}, "number"),
    ({"number": "152525-20250401-00001", "code": "ABC"}, "code"),
    ({"number": "152525-20250401-00001"}, "code"),
    ({"code": "ABCDEFGH"}, "number"),
])
def test_a_malformed_query_is_422_naming_the_parameter(intake, query, field):
    response = intake.client.get(URL, query_string=query)

    problem = problem_of(response, 422, "validation-failed")
    assert field in fields_of(problem)


def test_tracking_needs_no_token(intake):
    petition = enter(intake)

    response = intake.client.get(URL, query_string={"number": petition["number"], "code": petition["tracking_code"]})

    assert response.status_code == 200


# ---- rate limits ----------------------------------------------------------------------------------

def test_guessing_one_number_is_429_with_retry_after_even_from_fresh_addresses(intake):
    petition = enter(intake)
    wrong = other_code(petition["tracking_code"])

    answers = [look_up(intake, petition["number"], wrong, client=f"198.51.100.{i}").status_code
               for i in range(ATTEMPTS)]
    limited = look_up(intake, petition["number"], petition["tracking_code"], client="198.51.100.200")

    assert answers == [404] * ATTEMPTS
    problem = problem_of(limited, 429, "too-many-requests")
    assert limited.headers["Retry-After"] == str(WINDOW - 100)
    assert petition["number"] not in limited.get_data(as_text=True)
    assert "timeline" not in problem and "id" not in problem


def test_one_address_guessing_across_numbers_is_429(intake):
    petition = enter(intake)
    numbers = [petition["number"][:-5] + f"{90000 + i:05d}" for i in range(ATTEMPTS)]

    answers = [look_up(intake, number, "ABCDEFGH", client="203.0.113.9").status_code for number in numbers]
    limited = look_up(intake, petition["number"], petition["tracking_code"], client="203.0.113.9")
    elsewhere = look_up(intake, petition["number"], petition["tracking_code"], client="203.0.113.10")

    assert answers == [404] * ATTEMPTS
    problem_of(limited, 429, "too-many-requests")
    assert int(limited.headers["Retry-After"]) == WINDOW - 100
    assert elsewhere.status_code == 200, "another address and an unguessed number are not limited"


def test_a_new_window_allows_look_ups_again(intake, clock):
    petition = enter(intake)
    wrong = other_code(petition["tracking_code"])
    for _ in range(ATTEMPTS):
        look_up(intake, petition["number"], wrong)
    problem_of(look_up(intake, petition["number"], petition["tracking_code"]), 429, "too-many-requests")

    clock.now += timedelta(seconds=WINDOW - 100)  # the first second of the next window

    response = look_up(intake, petition["number"], petition["tracking_code"])
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["id"] == petition["id"]


def test_the_retry_after_counts_down_within_the_window(intake, clock):
    petition = enter(intake)
    for _ in range(ATTEMPTS):
        look_up(intake, petition["number"], "ABCDEFGH")

    clock.now += timedelta(seconds=350)

    limited = look_up(intake, petition["number"], petition["tracking_code"])
    problem_of(limited, 429, "too-many-requests")
    assert limited.headers["Retry-After"] == str(WINDOW - 450)


def test_the_attempts_are_counted_in_the_store_so_every_worker_shares_them(intake):
    petition = enter(intake)
    other_worker = Service(intake.runtime)  # a second Flask app on the same database

    for worker in (intake, other_worker, intake):
        look_up(worker, petition["number"], "ABCDEFGH", client="192.0.2.1")

    counts = {doc["_id"].rsplit(":", 1)[0]: doc["n"] for doc in intake.db[tracking_store.ATTEMPTS].find({})}
    assert counts == {"ip:192.0.2.1": ATTEMPTS, f"number:{petition['number']}": ATTEMPTS}
    problem_of(look_up(other_worker, petition["number"], petition["tracking_code"], client="192.0.2.2"),
               429, "too-many-requests")


def test_behind_the_gateway_the_limit_counts_the_client_address_it_forwards(make_service):
    from tests.support.services import make_settings
    intake = make_service("intake", make_settings(DAIBAN_TRACKING_ATTEMPTS="2", DAIBAN_PROXY_HOPS="1"))
    query = {"number": "152525-20250301-09999", "code": "23456789"}

    def look_up(client: str) -> int:
        return intake.client.get("/api/v1/tracking", query_string=query,
                                 headers={"X-Forwarded-For": client}).status_code

    first_client = [look_up("203.0.113.7") for _ in range(3)]
    other_client = look_up("198.51.100.9")

    assert first_client == [404, 404, 429]
    assert other_client == 429, "the number's own budget is spent too"
    query["number"] = "152525-20250301-09998"
    assert look_up("198.51.100.9") == 404, "another client and number still have their budgets"
