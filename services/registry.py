"""The five services, and which one answers which path (the embedded dispatcher and the gateway
share this table, so a client cannot tell the two modes apart)."""
from __future__ import annotations

from services.assignment.app import SPEC as ASSIGNMENT
from services.intake.app import SPEC as INTAKE
from services.mediation.app import SPEC as MEDIATION
from services.notify.app import SPEC as NOTIFY
from services.reporting.app import SPEC as REPORTING

SPECS = {spec.name: spec for spec in (INTAKE, ASSIGNMENT, MEDIATION, NOTIFY, REPORTING)}
NAMES = tuple(SPECS)

ROUTES = (
    ("/api/v1/petitions", "intake"),
    ("/api/v1/auth", "intake"),
    ("/api/v1/tracking", "intake"),
    ("/api/v1/agents", "intake"),
    ("/api/v1/policies", "intake"),
    ("/api/v1/assignments", "assignment"),
    ("/api/v1/staff/agents", "assignment"),
    ("/api/v1/departments", "assignment"),
    ("/api/v1/mediations", "mediation"),
    ("/api/v1/notifications", "notify"),
    ("/api/v1/reports", "reporting"),
)


def route(path: str) -> tuple[str, str] | None:
    """(service, path as that service sees it), or None for the platform's own pages."""
    parts = path.split("/", 3)
    if len(parts) >= 3 and parts[1] in ("services", "docs") and parts[2] in SPECS:
        if parts[1] == "docs":
            return parts[2], path
        return parts[2], "/" + (parts[3] if len(parts) > 3 else "")
    for prefix, service in ROUTES:
        if path == prefix or path.startswith(prefix + "/"):
            return service, path
    return None
