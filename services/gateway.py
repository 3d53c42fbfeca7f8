"""The gateway of ``make up``: one port, the same paths as the embedded mode, each request proxied
to the service process that owns it (werkzeug's ProxyMiddleware does the proxying)."""
from __future__ import annotations

import json
import urllib.error
import urllib.request

from werkzeug.middleware.http_proxy import ProxyMiddleware

from shared.config import Settings

from .front import Dispatcher, platform_app
from .registry import NAMES


def service_urls(settings: Settings) -> dict[str, str]:
    urls = {name: f"http://127.0.0.1:{port}" for name, port in zip(NAMES, settings.service_ports)}
    unknown = {name for name, _ in settings.service_urls} - set(NAMES)
    if unknown:
        raise ValueError(f"DAIBAN_SERVICE_URLS names unknown services: {sorted(unknown)}")
    return {**urls, **dict(settings.service_urls)}


def _unreachable(environ, start_response):
    start_response("502 Bad Gateway", [("Content-Type", "application/problem+json")])
    return [b'{"type":"urn:daiban:problem:bad-gateway","title":"Service unreachable","status":502}']


def _proxy(url: str):
    """Forward every request as it is (path and query) to one service."""
    middleware = ProxyMiddleware(_unreachable, {"/": {"target": url + "/"}}, timeout=60)
    options = next(iter(middleware.targets.values()))

    def forward(environ, start_response):
        client = environ.get("REMOTE_ADDR", "")
        earlier = environ.get("HTTP_X_FORWARDED_FOR")
        environ = {**environ, "HTTP_X_FORWARDED_FOR": f"{earlier}, {client}" if earlier else client}
        return middleware.proxy_to(options, environ["PATH_INFO"], "/")(environ, start_response)
    return forward


def _readiness(urls: dict[str, str]):
    def probe() -> dict:
        states = {}
        for name, url in urls.items():
            try:
                with urllib.request.urlopen(f"{url}/readyz", timeout=3) as resp:
                    states[name] = json.load(resp).get("checks", {"service": "ok"})
            except urllib.error.HTTPError as exc:
                states[name] = json.load(exc).get("checks", {"service": f"HTTP {exc.code}"})
            except OSError as exc:
                states[name] = {"service": f"unreachable: {exc}"[:200]}
        return states
    return probe


def gateway_app(settings: Settings):
    urls = service_urls(settings)
    return Dispatcher({name: _proxy(url) for name, url in urls.items()},
                      platform_app("separate processes", _readiness(urls)))
