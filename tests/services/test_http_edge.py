"""What every service answers the same way: unknown paths and methods as problem+json, liveness,
readiness, metrics and its OpenAPI document."""
from __future__ import annotations

import pytest
from prometheus_client.parser import text_string_to_metric_families

from services.registry import NAMES
from tests.support.services import auth, make_settings

from .helpers import VILLAGE, problem_of

# one path of each service's own API, and the methods it answers there
API_PATH = {"intake": ("/api/v1/petitions", {"GET", "POST"}),
            "assignment": ("/api/v1/assignments", {"GET"}),
            "mediation": ("/api/v1/mediations", {"GET"}),
            "notify": ("/api/v1/notifications", {"GET"}),
            "reporting": ("/api/v1/reports/summary", {"GET"})}


@pytest.fixture
def settings():
    """The assignment demo agents are not needed here."""
    return make_settings(DAIBAN_DEMO_DATA="false")


def test_every_service_has_an_api_path_listed_here():
    assert set(API_PATH) == set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_an_unknown_path_is_a_404_problem(make_service, name):
    service = make_service(name)

    response = service.client.get("/api/v1/nothing-here")

    problem = problem_of(response, 404, "not-found")
    assert problem["instance"] == "/api/v1/nothing-here"


@pytest.mark.parametrize("name", NAMES)
def test_a_wrong_method_is_a_405_problem_with_allow(make_service, name):
    service = make_service(name)
    path, methods = API_PATH[name]

    response = service.client.delete(path, headers=auth(service.settings, "admin", "admin-1", "152500"))

    problem_of(response, 405, "method-not-allowed")
    allowed = {m.strip() for m in response.headers["Allow"].split(",")}
    assert methods <= allowed and "DELETE" not in allowed


@pytest.mark.parametrize("name", NAMES)
def test_healthz_answers_alive_without_a_token(make_service, name):
    response = make_service(name).client.get("/healthz")

    assert response.status_code == 200
    assert response.get_json() == {"status": "alive", "service": name}


def test_readyz_is_503_with_its_checks_while_the_consumer_is_not_running(intake):
    response = intake.client.get("/readyz")

    problem = problem_of(response, 503, "not-ready")
    assert problem["service"] == "intake"
    assert problem["checks"]["consumer"] != "ok"
    assert problem["checks"]["store"] == "ok"
    assert "consumer" in problem["detail"]


def test_readyz_is_200_once_the_runtime_consumes(intake):
    intake.runtime.start()
    assert intake.runtime.wait_consuming(5)

    response = intake.client.get("/readyz")

    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ready"
    assert body["checks"] == {"store": "ok", "broker": "ok", "consumer": "ok"}


def test_metrics_count_http_requests_by_service_route_and_status(intake):
    headers = auth(intake.settings, "petitioner", "wx-1", VILLAGE)
    intake.client.get("/api/v1/petitions", headers=headers)
    intake.client.get("/api/v1/petitions/pet-unknown", headers=headers)

    response = intake.client.get("/metrics")

    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    counted = {(s.labels["service"], s.labels["method"], s.labels["route"], s.labels["status"]): s.value
               for family in text_string_to_metric_families(response.get_data(as_text=True))
               if family.name == "daiban_http_requests" for s in family.samples if s.name.endswith("_total")}
    assert counted[("intake", "GET", "/api/v1/petitions", "200")] == 1
    assert counted[("intake", "GET", "/api/v1/petitions/<petition_id>", "404")] == 1


@pytest.mark.parametrize("name", NAMES)
def test_openapi_lists_the_service_paths_and_declares_bearer_auth(make_service, name):
    service = make_service(name)

    response = service.client.get(f"/docs/{name}/openapi.json")

    assert response.status_code == 200
    spec = response.get_json()
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {"type": "http", "scheme": "bearer",
                                                                   "bearerFormat": "JWT"}
    path, methods = API_PATH[name]
    assert path in spec["paths"]
    assert {m.upper() for m in spec["paths"][path] if m != "parameters"} == methods
