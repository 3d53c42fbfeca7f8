"""Which service answers which path (the embedded dispatcher and the gateway share this table)."""
from __future__ import annotations

import pytest

from services.registry import NAMES, route


@pytest.mark.parametrize("path, expected", [
    ("/api/v1/petitions", ("intake", "/api/v1/petitions")),
    ("/api/v1/petitions/pet-1", ("intake", "/api/v1/petitions/pet-1")),
    ("/api/v1/auth/dev-token", ("intake", "/api/v1/auth/dev-token")),
    ("/api/v1/assignments/pet-1", ("assignment", "/api/v1/assignments/pet-1")),
    ("/api/v1/mediations", ("mediation", "/api/v1/mediations")),
    ("/api/v1/notifications", ("notify", "/api/v1/notifications")),
    ("/api/v1/reports/summary", ("reporting", "/api/v1/reports/summary")),
    ("/docs/notify/openapi.json", ("notify", "/docs/notify/openapi.json")),
    ("/docs/notify/", ("notify", "/docs/notify/")),
    ("/services/reporting/readyz", ("reporting", "/readyz")),
    ("/services/intake/metrics", ("intake", "/metrics")),
    ("/services/assignment", ("assignment", "/")),
])
def test_a_service_path_goes_to_its_service(path, expected):
    assert route(path) == expected


@pytest.mark.parametrize("path", ["/", "/healthz", "/readyz", "/api/v1/unknown", "/api/v1/petitionsX",
                                  "/docs/nobody/openapi.json", "/services/nobody/readyz", "/favicon.ico"])
def test_anything_else_is_the_platform_s_own(path):
    assert route(path) is None


@pytest.mark.parametrize("name", NAMES)
def test_every_service_s_docs_and_operations_are_reachable(name):
    assert route(f"/docs/{name}/openapi.json") == (name, f"/docs/{name}/openapi.json")
    assert route(f"/services/{name}/healthz") == (name, "/healthz")
