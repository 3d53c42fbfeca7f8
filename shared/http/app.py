"""``create_service_app``: the Flask + flask-smorest application of one service, with everything every
service shares: problem+json errors, request ids and correlation ids in logs, JSON-only bodies,
``/healthz``, ``/readyz``, ``/metrics``, per-service OpenAPI, and the development token route."""
from __future__ import annotations

import logging
import re
import time
import uuid

from flask import Flask, Response, g, jsonify, request
from flask_smorest import Api
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from ..logs import correlation_id_var, request_id_var, service_var
from . import problems
from .devtoken import blp as devtoken_blp

log = logging.getLogger(__name__)

_SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_BODY_METHODS = {"POST", "PUT", "PATCH"}


class ProblemApi(Api):
    """flask-smorest's Api, answering every HTTP error as problem+json."""

    def handle_http_exception(self, error: HTTPException):
        return problems.response(problems.from_http_exception(error), request.path)


def create_service_app(context, blueprints, title: str, description: str = "") -> Flask:
    settings = context.settings
    app = Flask(f"daiban.{context.name}")
    app.config.update(
        API_TITLE=title, API_VERSION="v1", OPENAPI_VERSION="3.1.0",
        OPENAPI_URL_PREFIX=f"/docs/{context.name}", OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="/", OPENAPI_SWAGGER_UI_URL="https://cdn.jsdelivr.net/npm/swagger-ui-dist/",
        MAX_CONTENT_LENGTH=settings.max_body_bytes,
        API_SPEC_OPTIONS={"info": {"description": description},
                          "components": {"securitySchemes": {"bearerAuth": {
                              "type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}}},
    )
    app.json.ensure_ascii = False
    app.extensions["daiban"] = context
    api = ProblemApi(app)
    for blueprint in blueprints:
        api.register_blueprint(blueprint)
    if not settings.is_production:
        api.register_blueprint(devtoken_blp)
    if settings.proxy_hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.proxy_hops)
    _register_operations(app, context)
    _register_request_hooks(app, context)
    _register_error_handlers(app)
    return app


def _register_operations(app: Flask, context) -> None:
    @app.get("/healthz")
    def healthz():
        return jsonify(status="alive", service=context.name)

    @app.get("/readyz")
    def readyz():
        checks = context.readiness()
        failing = sorted(name for name, state in checks.items() if state != "ok")
        if failing:
            problem = problems.Problem(503, "not-ready", f"not ready: {', '.join(failing)}",
                                       service=context.name, checks=checks)
            return problems.response(problem, request.path)
        return jsonify(status="ready", service=context.name, checks=checks)

    @app.get("/metrics")
    def metrics():
        return Response(context.metrics.render(), mimetype="text/plain; version=0.0.4")

    for view in (healthz, readyz, metrics):
        view._daiban_roles = ("public",)


def _register_request_hooks(app: Flask, context) -> None:
    @app.before_request
    def bind_request():
        incoming = request.headers.get("X-Request-Id", "")
        g.request_id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        incoming_corr = request.headers.get("X-Correlation-Id", "")
        g.correlation_id = incoming_corr if _SAFE_ID.match(incoming_corr) else g.request_id
        g.started = time.perf_counter()
        g.log_tokens = (service_var.set(context.name), request_id_var.set(g.request_id),
                        correlation_id_var.set(g.correlation_id))

    @app.before_request
    def json_bodies_only():
        if request.method not in _BODY_METHODS or not _has_body():
            return None
        view = app.view_functions.get(request.endpoint)
        accepted = getattr(view, "_daiban_media_types", ("application/json",))
        if request.mimetype not in accepted and not request.mimetype.endswith("+json"):
            raise problems.Problem(415, detail=f"send {', '.join(accepted)}",
                                   errors=[problems.field_error("Content-Type", f"got {request.mimetype or 'none'}")])
        if request.mimetype == "application/json" and request.get_json(silent=True) is None:
            raise problems.Problem(400, "malformed-json", "The body is not valid JSON.",
                                   errors=[problems.field_error("body", "not valid JSON")])
        return None

    @app.after_request
    def finish(response):
        response.headers["X-Request-Id"] = g.get("request_id", "")
        response.headers["X-Correlation-Id"] = g.get("correlation_id", "")
        route = request.url_rule.rule if request.url_rule else "unmatched"
        context.metrics.http_requests.labels(context.name, request.method, route, response.status_code).inc()
        if "started" in g:
            elapsed = time.perf_counter() - g.started
            context.metrics.http_seconds.labels(context.name, route).observe(elapsed)
            log.info("%s %s %s", request.method, route, response.status_code,
                     extra={"status": response.status_code, "ms": round(elapsed * 1000, 1)})
        return response

    @app.teardown_request
    def unbind(_exc):
        for var, token in zip((service_var, request_id_var, correlation_id_var), g.pop("log_tokens", ())):
            var.reset(token)


def _has_body() -> bool:
    return bool(request.content_length) or request.headers.get("Transfer-Encoding") == "chunked"


def _register_error_handlers(app: Flask) -> None:
    @app.errorhandler(problems.Problem)
    def on_problem(problem: problems.Problem):
        return problems.response(problem, request.path)

    @app.errorhandler(Exception)
    def on_unexpected(error: Exception):
        if isinstance(error, HTTPException):
            return problems.response(problems.from_http_exception(error), request.path)
        log.exception("unhandled error")
        return problems.response(problems.Problem(500, detail="An internal error occurred; "
                                                  f"quote request id {g.get('request_id', '')}."), request.path)
