"""POST /api/v1/auth/dev-token: any role's token in development, usable on every service sharing the
secret; absent in production."""
from __future__ import annotations

from services.registry import SPECS
from shared.http import create_service_app
from shared.runtime import ServiceRuntime
from tests.support.services import make_settings

from .helpers import VILLAGE, fields_of, petition_body, problem_of

URL = "/api/v1/auth/dev-token"


def dev_token(service, **body) -> dict:
    response = service.client.post(URL, json={"role": "petitioner", "sub": "wx-dev-1", "division": VILLAGE, **body})
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_a_dev_token_issued_by_one_service_works_on_the_others(make_service, intake):
    notify = make_service("notify")
    issued = dev_token(intake)

    assert (issued["role"], issued["sub"], issued["division"]) == ("petitioner", "wx-dev-1", VILLAGE)
    assert issued["expires_in"] == intake.settings.token_ttl
    assert intake.client.post("/api/v1/petitions", json=petition_body(),
                              headers=bearer(issued["token"])).status_code == 201
    listed = notify.client.get("/api/v1/notifications", headers=bearer(issued["token"]))
    assert listed.status_code == 200 and listed.get_json()["total"] == 0


def test_the_token_carries_its_role_and_scope(make_service, intake):
    reporting = make_service("reporting")
    banner_reporter = dev_token(intake, role="reporter", sub="rep-1", division="152531")["token"]

    own = reporting.client.get("/api/v1/reports/summary", query_string={"division": "152531"},
                               headers=bearer(banner_reporter))
    league = reporting.client.get("/api/v1/reports/summary", query_string={"division": "152500"},
                                  headers=bearer(banner_reporter))

    assert own.status_code == 200
    problem_of(league, 403, "out-of-scope")


def test_a_token_from_another_secret_is_refused(make_service, intake):
    elsewhere = make_service("intake", make_settings(DAIBAN_SECRET="another-development-secret-0123456789"))
    foreign = dev_token(elsewhere)["token"]

    response = intake.client.get("/api/v1/petitions", headers=bearer(foreign))

    problem_of(response, 401, "unauthenticated")


def test_an_unknown_role_is_422(intake):
    response = intake.client.post(URL, json={"role": "superuser", "sub": "x", "division": VILLAGE})

    assert fields_of(problem_of(response, 422, "validation-failed")) == {"role"}


def test_a_malformed_division_or_subject_is_422(intake):
    response = intake.client.post(URL, json={"role": "agent", "sub": "has spaces", "division": "15252"})

    assert fields_of(problem_of(response, 422, "validation-failed")) == {"sub", "division"}


def production_app():
    settings = make_settings(DAIBAN_ENV="production", DAIBAN_SECRET="p" * 40,
                             AMQP_URL="amqp://guest:guest@127.0.0.1:1/", MONGO_URL="mongodb://localhost:1")
    runtime = ServiceRuntime(SPECS["intake"], settings)  # lazy: connects to nothing
    # the app as ServiceRuntime.app() builds it, without prepare() (which creates indexes in MongoDB)
    spec = runtime.spec
    return create_service_app(runtime.context, spec.blueprints, spec.title, spec.description)


def test_there_is_no_dev_token_route_in_production():
    app = production_app()
    client = app.test_client()

    response = client.post(URL, json={"role": "admin", "sub": "me", "division": "152500"})

    problem_of(response, 404, "not-found")
    assert not [rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1/auth")]
    # the rest of the API is there
    problem_of(client.post("/api/v1/petitions", json=petition_body()), 401, "unauthenticated")


def test_openapi_in_production_does_not_mention_the_dev_token():
    spec = production_app().test_client().get("/docs/intake/openapi.json").get_json()

    assert "/api/v1/petitions" in spec["paths"]
    assert not [path for path in spec["paths"] if path.startswith("/api/v1/auth")]
