"""Personal data (names, phones, ID numbers) is shown in clear only to those who may read the petition,
every staff read is audited, and none of it reaches an event, a log line, a report, a notification or
a document in clear: the whole platform is run with sentinel values and everything it emitted is
scanned for them."""
from __future__ import annotations

import io
import json
import logging

import pytest
from pythonjsonlogger.json import JsonFormatter
from werkzeug.test import Client

from services.embedded import Embedded
from services.intake import store
from shared import logs
from tests.support.services import auth, make_settings
from tests.support.waiting import wait_for

from .helpers import VILLAGE, petition_body, problem_of

URL = "/api/v1/petitions"
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def resident_id(first17: str) -> str:
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, WEIGHTS)) % 11]


OWNER = "wx-openid-private-owner"
OWNER_CONTACT = {"name": "测试哨兵甲", "phone": "13900001234", "id_number": resident_id("15252519700101777")}
HERDER = {"name": "测试哨兵乙", "phone": "13900005678", "id_number": resident_id("15252519650505888")}
REPRESENTATIVE = {"name": "测试哨兵丙", "phone": "13900009012"}
ENTERING_AGENT = "agt-entering-1"


def online_body(**overrides) -> dict:
    return petition_body(contact=dict(OWNER_CONTACT),
                         group={"size": 8, "representatives": [dict(REPRESENTATIVE)]}, **overrides)


def offline_body(**overrides) -> dict:
    body = petition_body(title="草场边界纠纷", description="邻近牧户越界放牧，占用承包草场，请求调解。",
                         channel="horseback", contact=dict(HERDER), entry={"place": "夏营地"})
    return {**body, **overrides}


# ---- who reads the contact in clear, and the audit of staff reads ---------------------------------

def read(service, petition_id, role, sub, division=VILLAGE):
    return service.client.get(f"{URL}/{petition_id}", headers=auth(service.settings, role, sub, division))


def file_online(service) -> dict:
    response = service.client.post(URL, json=online_body(),
                                   headers=auth(service.settings, "petitioner", OWNER, VILLAGE))
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def file_offline(service) -> dict:
    response = service.client.post(f"{URL}/offline", json=offline_body(),
                                   headers=auth(service.settings, "agent", ENTERING_AGENT, VILLAGE))
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def hold(service, petition_id, agent_id="agt-holder") -> None:
    service.db[store.PETITIONS].update_one(
        {"_id": petition_id},
        {"$set": {"status": "assigned", "level": "village",
                  "assigned_agent": {"id": agent_id, "name": "测试代办员", "division": VILLAGE}}})


def reads(service) -> list[dict]:
    return list(service.db[store.READS].find({}, {"_id": 0, "at": 0}))


def test_the_owner_reads_the_contact_in_clear_and_is_not_audited(intake):
    petition = file_online(intake)

    shown = read(intake, petition["id"], "petitioner", OWNER).get_json()
    read(intake, petition["id"], "petitioner", OWNER)

    assert shown["contact"] == OWNER_CONTACT
    assert shown["contact_masked"] == {"name": "测****", "phone": "139****1234"}
    assert reads(intake) == []


def test_the_owners_list_shows_the_contact_only_masked(intake):
    file_online(intake)

    page = intake.client.get(URL, headers=auth(intake.settings, "petitioner", OWNER, VILLAGE))

    item = page.get_json()["items"][0]
    assert item["contact"] is None and item["contact_masked"]["phone"] == "139****1234"
    assert OWNER_CONTACT["name"] not in page.get_data(as_text=True)


def test_the_holding_agent_reads_the_contact_in_clear_and_the_read_is_audited(intake):
    petition = file_online(intake)
    hold(intake, petition["id"])

    response = read(intake, petition["id"], "agent", "agt-holder")

    assert response.status_code == 200
    assert response.get_json()["contact"] == OWNER_CONTACT
    assert reads(intake) == [{"petition_id": petition["id"], "role": "agent", "sub": "agt-holder"}]


@pytest.mark.parametrize("division", ["152525100", "152525"], ids=["township", "banner"])
def test_a_coordinator_in_scope_reads_the_contact_and_each_read_is_audited(intake, division):
    petition = file_offline(intake)

    first = read(intake, petition["id"], "coordinator", "coord-1", division)
    second = read(intake, petition["id"], "coordinator", "coord-1", division)

    assert first.get_json()["contact"] == second.get_json()["contact"] == HERDER
    assert reads(intake) == [{"petition_id": petition["id"], "role": "coordinator", "sub": "coord-1"}] * 2
    assert all(doc["at"] is not None for doc in intake.db[store.READS].find({}))


def test_the_entering_agent_reads_the_herders_contact_and_is_audited(intake):
    petition = file_offline(intake)

    response = read(intake, petition["id"], "agent", ENTERING_AGENT)

    assert response.status_code == 200
    shown = response.get_json()
    assert shown["contact"] == HERDER
    assert shown["entry"]["by"] == ENTERING_AGENT
    assert "tracking_code" not in shown, "the code is shown once, on entry"
    assert reads(intake) == [{"petition_id": petition["id"], "role": "agent", "sub": ENTERING_AGENT}]


def test_the_holding_agent_of_an_offline_petition_reads_the_contact(intake):
    petition = file_offline(intake)
    hold(intake, petition["id"], "agt-other-holder")

    response = read(intake, petition["id"], "agent", "agt-other-holder")

    assert response.status_code == 200 and response.get_json()["contact"] == HERDER


@pytest.mark.parametrize("role, sub, division", [
    ("agent", "agt-bystander", VILLAGE),        # same village, neither entered nor holds it
    ("coordinator", "coord-2", "152525101"),    # the neighbouring township
    ("petitioner", "wx-someone-else", VILLAGE),
])
def test_others_are_told_it_does_not_exist_and_nothing_is_audited(intake, role, sub, division):
    online, offline = file_online(intake), file_offline(intake)

    for petition in (online, offline):
        response = read(intake, petition["id"], role, sub, division)
        problem_of(response, 404, "not-found")
        text = response.get_data(as_text=True)
        assert OWNER_CONTACT["name"] not in text and HERDER["name"] not in text
    assert reads(intake) == []


def test_the_contact_is_stored_only_sealed(intake):
    file_online(intake)
    file_offline(intake)

    stored = json.dumps(list(intake.db[store.PETITIONS].find({})), ensure_ascii=False, default=str)

    for value in (*OWNER_CONTACT.values(), *HERDER.values(), *REPRESENTATIVE.values()):
        assert value not in stored


# ---- the whole platform, scanned for the sentinels ------------------------------------------------

SENTINELS = (*OWNER_CONTACT.values(), *HERDER.values(), *REPRESENTATIVE.values())
REFUSED_ID = HERDER["id_number"][:17] + ("1" if HERDER["id_number"][-1] != "1" else "2")  # wrong check digit


def forms(value: str) -> tuple[str, ...]:
    """The value as it would appear in text or in ASCII-escaped JSON."""
    return value, json.dumps(value)[1:-1]


def leaks(text: str, sentinels=(*SENTINELS, REFUSED_ID)) -> list[str]:
    return [value for value in sentinels for form in forms(value) if form in text]


class Recorder:
    """Every log line (JSON, as the services write them, at DEBUG) and every event published."""

    def __init__(self):
        self.stream = io.StringIO()
        self.handler = logging.StreamHandler(self.stream)
        self.handler.setLevel(logging.DEBUG)
        self.handler.addFilter(logs.ContextFilter())
        self.handler.setFormatter(JsonFormatter(
            "%(levelname)s %(name)s %(message)s %(service)s %(request_id)s %(correlation_id)s %(event_id)s",
            rename_fields={"levelname": "level", "name": "logger"}, timestamp="time"))
        self.events: list[dict] = []
        self.wire: list[str] = []

    def attach_logs(self):
        root = logging.getLogger()
        self._level = root.level
        root.addHandler(self.handler)
        root.setLevel(logging.DEBUG)

    def detach_logs(self):
        root = logging.getLogger()
        root.removeHandler(self.handler)
        root.setLevel(self._level)

    def wrap(self, publisher):
        publish_event, publish_to_queue = publisher.publish_event, publisher.publish_to_queue

        def recording_event(message):
            self._record(message)
            publish_event(message)

        def recording_to_queue(queue, body, headers, message_id=None):
            self._record(body)
            publish_to_queue(queue, body, headers, message_id)

        publisher.publish_event, publisher.publish_to_queue = recording_event, recording_to_queue

    def _record(self, message):
        self.events.append(message)
        self.wire.append(json.dumps(message, ensure_ascii=False, default=str))

    def log_lines(self) -> list[str]:
        return [line for line in self.stream.getvalue().splitlines() if line.strip()]


@pytest.fixture(scope="module")
def platform_settings():
    return make_settings()


@pytest.fixture(scope="module")
def recorded(platform_settings):
    recorder = Recorder()
    recorder.attach_logs()
    platform = Embedded(platform_settings)
    for runtime in platform.runtimes.values():
        recorder.wrap(runtime.publisher)
    platform.start()
    try:
        yield platform, recorder, run_the_journeys(platform, platform_settings)
    finally:
        platform.stop()
        recorder.detach_logs()


def run_the_journeys(platform, settings) -> dict:
    """An online petition with contact and group, an offline one for a herder, a refused entry and a
    tracking look-up; waits until both are assigned, the inboxes are written and the figures count."""
    client = Client(platform.wsgi)
    owner = auth(settings, "petitioner", OWNER, VILLAGE)
    agent = auth(settings, "agent", ENTERING_AGENT, VILLAGE)

    online = client.post(URL, json=online_body(), headers=owner)
    offline = client.post(f"{URL}/offline", json=offline_body(), headers=agent)
    refused = client.post(f"{URL}/offline", json=offline_body(contact={**HERDER, "id_number": REFUSED_ID}),
                          headers=agent)
    assert (online.status_code, offline.status_code, refused.status_code) == (201, 201, 422)
    online, offline = online.json, offline.json
    tracked = client.get("/api/v1/tracking", query_string={"number": offline["number"],
                                                           "code": offline["tracking_code"]})
    assert tracked.status_code == 200

    def assigned(petition_id, headers):
        petition = client.get(f"{URL}/{petition_id}", headers=headers).json
        return petition if petition["status"] == "assigned" else None

    online_now = wait_for(lambda: assigned(online["id"], owner), what="the online petition to be assigned")
    offline_now = wait_for(lambda: assigned(offline["id"], agent), what="the offline petition to be assigned")

    def inbox(headers):
        page = client.get("/api/v1/notifications", headers=headers).json
        return page if page["total"] else None

    holders = {p["assigned_agent"]["id"]: p["assigned_agent"]["division"] for p in (online_now, offline_now)}
    notifications = [wait_for(lambda: inbox(owner), what="the owner's notification")]
    notifications += [wait_for(lambda h=auth(settings, "agent", sub, division): inbox(h),
                               what=f"{sub}'s notification") for sub, division in holders.items()]
    reporter = auth(settings, "reporter", "rep-league", "152500")

    def counted():
        body = client.get("/api/v1/reports/summary", query_string={"division": "152500"}, headers=reporter).json
        return body if (body["submitted"], body["assigned"]) == (2, 2) else None

    summary = wait_for(counted, what="the league summary to count both petitions")
    return {"client": client, "owner": owner, "agent": agent, "online": online_now, "offline": offline_now,
            "tracked": tracked.get_data(as_text=True), "refused": refused.get_data(as_text=True),
            "notifications": notifications, "summary": summary}


def test_the_owner_and_the_entering_agent_see_the_sentinels_in_clear(recorded):
    _, _, run = recorded
    client = run["client"]

    mine = client.get(f"{URL}/{run['online']['id']}", headers=run["owner"]).json
    entered = client.get(f"{URL}/{run['offline']['id']}", headers=run["agent"]).json

    assert mine["contact"] == OWNER_CONTACT
    assert mine["group"]["representatives"] == [{"name": "测****", "phone": "139****9012"}]
    assert entered["contact"] == HERDER


def test_no_event_carries_a_sentinel(recorded):
    _, recorder, run = recorded
    types = [e["type"] for e in recorder.events]

    # the scan saw the journeys' events, so finding none of the sentinels means something
    submitted = {e["data"]["petition_id"] for e in recorder.events if e["type"] == "petition.submitted"}
    assigned = {e["data"]["petition_id"] for e in recorder.events if e["type"] == "petition.assigned"}
    assert {run["online"]["id"], run["offline"]["id"]} <= submitted & assigned, types
    channels = {e["data"]["petition_id"]: e["data"]["channel"] for e in recorder.events
                if e["type"] == "petition.submitted"}
    assert channels[run["offline"]["id"]] == "horseback"
    assert [(e["type"], leaks(w)) for e, w in zip(recorder.events, recorder.wire) if leaks(w)] == []


def test_no_log_line_carries_a_sentinel(recorded):
    _, recorder, run = recorded
    lines = recorder.log_lines()

    parsed = [json.loads(line) for line in lines]
    assert any(p.get("message") == "POST /api/v1/petitions/offline 201" for p in parsed), lines[:20]
    assert any(p.get("message") == "POST /api/v1/petitions/offline 422" for p in parsed)
    assert any(p.get("message") == "petition.submitted opened" for p in parsed), "the consumers' lines too"
    assert [line for line in lines if leaks(line)] == []


def test_neither_the_summary_nor_any_notification_carries_a_sentinel(recorded):
    _, _, run = recorded

    assert run["summary"]["submitted"] == 2
    assert sum(page["total"] for page in run["notifications"]) >= 3
    assert leaks(json.dumps(run["summary"], ensure_ascii=False)) == []
    assert [leaks(json.dumps(page, ensure_ascii=False)) for page in run["notifications"]] == [[]] * len(
        run["notifications"])


def test_neither_the_tracking_answer_nor_the_refusal_echo_a_sentinel(recorded):
    _, _, run = recorded

    assert run["offline"]["number"] in run["tracked"]
    assert leaks(run["tracked"]) == []
    assert "contact.id_number" in run["refused"]
    assert leaks(run["refused"]) == []


def test_no_service_keeps_a_sentinel_in_clear(recorded):
    platform, _, _ = recorded

    found = {}
    for name, runtime in platform.runtimes.items():
        for collection in runtime.db.list_collection_names():
            text = json.dumps(list(runtime.db[collection].find({})), ensure_ascii=False, default=str)
            if leaks(text):
                found[f"{name}.{collection}"] = leaks(text)
    assert platform.runtimes["intake"].db[store.PETITIONS].count_documents({}) == 2
    assert found == {}
