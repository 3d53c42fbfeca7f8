"""Every endpoint declares who may call it (``requires(...)`` or ``public``), and the OpenAPI document
says the same: a new endpoint without a declaration fails here."""
from __future__ import annotations

import pytest
from flask import Flask
from flask.views import MethodView

from services.registry import NAMES
from shared.http.auth import ROLES, public, requires
from tests.support.services import make_settings

SKIPPED_METHODS = {"HEAD", "OPTIONS"}


@pytest.fixture
def settings():
    """The assignment demo agents are not needed here."""
    return make_settings(DAIBAN_DEMO_DATA="false")


def declared_roles(app: Flask, rule) -> dict[str, tuple | None]:
    """Roles declared for each method of a URL rule (class-based views declare per method)."""
    view = app.view_functions[rule.endpoint]
    methods = sorted(rule.methods - SKIPPED_METHODS)
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        return {m: getattr(getattr(view_class, m.lower(), None), "_daiban_roles", None) for m in methods}
    return {m: getattr(view, "_daiban_roles", None) for m in methods}


def api_rules(app: Flask):
    return [rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/")]


def undeclared(app: Flask) -> list[str]:
    return [f"{method} {rule.rule}" for rule in api_rules(app)
            for method, roles in declared_roles(app, rule).items() if not roles]


def openapi_path(rule) -> str:
    path = rule.rule
    for argument in rule.arguments:
        path = path.replace(f"<{argument}>", f"{{{argument}}}")
    return path


def test_the_check_catches_an_undeclared_endpoint():
    app = Flask("probe")

    @app.get("/api/v1/forgotten")
    def forgotten():
        return {}

    @app.get("/api/v1/declared")
    @requires("admin")
    def declared():
        return {}

    class Half(MethodView):
        @public
        def get(self):
            return {}

        def post(self):
            return {}

    app.add_url_rule("/api/v1/half", view_func=Half.as_view("half"))

    assert undeclared(app) == ["GET /api/v1/forgotten", "POST /api/v1/half"]


@pytest.mark.parametrize("name", NAMES)
def test_every_api_endpoint_declares_its_roles(make_service, name):
    app = make_service(name).app

    assert api_rules(app), "the service has no API endpoints"
    assert undeclared(app) == []
    for rule in api_rules(app):
        for roles in declared_roles(app, rule).values():
            assert set(roles) <= set(ROLES) | {"public"}, (rule.rule, roles)


@pytest.mark.parametrize("name", NAMES)
def test_openapi_declares_bearer_security_and_roles_on_protected_operations(make_service, name):
    service = make_service(name)
    spec = service.client.get(f"/docs/{name}/openapi.json").get_json()

    protected = 0
    for rule in api_rules(service.app):
        for method, roles in declared_roles(service.app, rule).items():
            operation = spec["paths"][openapi_path(rule)][method.lower()]
            if roles == ("public",):
                assert "x-roles" not in operation
                continue
            protected += 1
            assert operation["security"] == [{"bearerAuth": []}], (method, rule.rule)
            assert operation["x-roles"] == list(roles), (method, rule.rule)
    assert protected >= 1
