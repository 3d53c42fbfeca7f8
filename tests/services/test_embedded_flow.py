"""The five services in one process on the in-memory bus: a petition goes from submission to an agent,
the petitioner and the agent are told, and the league's figures count it."""
from __future__ import annotations

import pytest
from werkzeug.test import Client

from services.embedded import Embedded
from tests.support.services import auth, make_settings
from tests.support.waiting import wait_for

from .helpers import VILLAGE, petition_body, problem_of


@pytest.fixture(scope="module")
def settings():
    return make_settings()


@pytest.fixture(scope="module")
def platform(settings):
    """One platform for this module (stopping five consumers takes seconds); only the first test writes."""
    embedded = Embedded(settings)
    embedded.start()
    yield embedded
    embedded.stop()


def test_a_submitted_petition_reaches_an_agent_the_inboxes_and_the_figures(platform, settings):
    client = Client(platform.wsgi)
    petitioner = auth(settings, "petitioner", "wx-openid-embedded", VILLAGE)

    created = client.post("/api/v1/petitions", json=petition_body(), headers=petitioner)
    assert created.status_code == 201
    petition_id = created.json["id"]

    def assigned():
        petition = client.get(f"/api/v1/petitions/{petition_id}", headers=petitioner).json
        return petition if petition["status"] == "assigned" else None

    petition = wait_for(assigned, timeout=10, what="the petition to be assigned")
    agent = petition["assigned_agent"]
    assert agent["division"] == VILLAGE and petition["level"] == "village"
    assert [e["kind"] for e in petition["timeline"]] == ["received", "receipt_notice", "assigned"]
    assert agent["name"] in petition["timeline"][-1]["message"]

    def inbox(headers):
        page = client.get("/api/v1/notifications", headers=headers).json
        return page if page["total"] else None

    mine = wait_for(lambda: inbox(petitioner), what="the petitioner's notification")
    assert [(n["petition_id"], n["template"]) for n in mine["items"]] == [(petition_id, "agent_assigned_to_you")]
    theirs = wait_for(lambda: inbox(auth(settings, "agent", agent["id"], agent["division"])),
                      what="the agent's notification")
    assert [(n["petition_id"], n["template"]) for n in theirs["items"]] == [(petition_id, "new_case_for_agent")]

    reporter = auth(settings, "reporter", "rep-league", "152500")

    def counted():
        body = client.get("/api/v1/reports/summary", query_string={"division": "152500"}, headers=reporter).json
        return body if (body["submitted"], body["assigned"]) == (1, 1) else None

    wait_for(counted, what="the league summary to count the petition")


def test_the_platform_sends_each_path_to_its_service_and_answers_unknown_paths_as_problems(platform):
    client = Client(platform.wsgi)

    assert client.get("/docs/notify/openapi.json").get_json()["info"]["title"] == "Daiban notify"
    ready = client.get("/services/reporting/readyz")
    assert ready.status_code == 200 and ready.get_json()["service"] == "reporting"
    assert set(client.get("/readyz").get_json()["services"]) == set(platform.runtimes)
    problem_of(client.get("/no/such/page"), 404, "not-found")
    problem_of(client.get("/api/v1/petitions"), 401, "unauthenticated")
