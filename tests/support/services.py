"""Build services for tests: settings with unique names, runtimes, Flask test clients, tokens."""
from __future__ import annotations

import uuid

from shared import config
from shared.http.auth import issue_token
from shared.runtime import ServiceRuntime


def make_settings(**env: str) -> config.Settings:
    unique = uuid.uuid4().hex[:8]
    base = {"DAIBAN_QUEUE_PREFIX": f"t{unique}", "DAIBAN_EXCHANGE": f"daiban.events.t{unique}",
            "DAIBAN_DB_PREFIX": f"t{unique}", "DAIBAN_RETRY_DELAYS": "0.01,0.02",
            "DAIBAN_RELAY_INTERVAL": "0.02", "DAIBAN_LOG_LEVEL": "WARNING"}
    return config.load({**base, **env})


def auth(settings: config.Settings, role: str, sub: str, division: str) -> dict:
    return {"Authorization": f"Bearer {issue_token(settings, sub, role, division)}"}


def runtime(spec, settings, **kwargs) -> ServiceRuntime:
    rt = ServiceRuntime(spec, settings, **kwargs)
    rt.prepare()
    return rt
