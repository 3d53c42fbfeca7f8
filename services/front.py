"""The platform's own pages (index, aggregate health) and the path dispatcher in front of the five
service applications. Used by the embedded mode (apps in process) and the gateway (proxies)."""
from __future__ import annotations

from typing import Callable, Mapping

from flask import Flask, jsonify, render_template_string

from shared.http import problems

from .registry import NAMES, route

INDEX = """<!doctype html><html lang="zh"><meta charset="utf-8"><title>代办 Daiban</title>
<style>body{font-family:sans-serif;max-width:44rem;margin:2rem auto;line-height:1.5}</style>
<h1>代办 Daiban</h1><p>信访代办平台 — the petition-agency platform ({{ mode }}).</p>
<h2>API documentation</h2><ul>
{% for n in names %}<li><a href="/docs/{{ n }}/">{{ n }}</a> (<a href="/docs/{{ n }}/openapi.json">OpenAPI</a>,
<a href="/services/{{ n }}/readyz">ready?</a>, <a href="/services/{{ n }}/metrics">metrics</a>)</li>{% endfor %}
</ul><h2>Health</h2><p><a href="/healthz">/healthz</a> · <a href="/readyz">/readyz</a></p>
<p>The web portal, the agent workbench and the dashboard arrive with their issues.</p></html>"""


def platform_app(mode: str, readiness: Callable[[], Mapping[str, Mapping[str, str]]]) -> Flask:
    app = Flask("daiban.platform")
    app.json.ensure_ascii = False

    @app.get("/")
    def index():
        return render_template_string(INDEX, names=NAMES, mode=mode)

    @app.get("/healthz")
    def healthz():
        return jsonify(status="alive", mode=mode)

    @app.get("/readyz")
    def readyz():
        states = readiness()
        failing = sorted(n for n, checks in states.items() if any(v != "ok" for v in checks.values()))
        if failing:
            return problems.response(problems.Problem(503, "not-ready", f"not ready: {', '.join(failing)}",
                                                      services=states), "/readyz")
        return jsonify(status="ready", services=states)

    @app.errorhandler(404)
    @app.errorhandler(405)
    def not_here(error):
        return problems.response(problems.from_http_exception(error))

    return app


class Dispatcher:
    """WSGI: send each request to the service that owns its path (see registry.ROUTES)."""

    def __init__(self, services: Mapping[str, Callable], platform: Callable):
        self._services = dict(services)
        self._platform = platform

    def __call__(self, environ, start_response):
        target = route(environ.get("PATH_INFO", "/"))
        if target is None:
            return self._platform(environ, start_response)
        service, path = target
        environ = {**environ, "PATH_INFO": path}
        return self._services[service](environ, start_response)
