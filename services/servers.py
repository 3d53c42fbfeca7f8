"""gunicorn for one service's API (``daiban serve``) and for the gateway (``daiban gateway``).

The service application, its store client and its bus threads are built in each worker after the
fork (``load`` and ``post_worker_init``), never in the master and never at import.
"""
from __future__ import annotations

import logging

from gunicorn.app.base import BaseApplication

from shared import logs
from shared.config import Settings
from shared.runtime import ServiceRuntime

from .registry import SPECS

log = logging.getLogger(__name__)


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict):
        self._options = options
        super().__init__()

    def load_config(self):
        for key, value in self._options.items():
            self.cfg.set(key, value)


class ServiceServer(_Gunicorn):
    def __init__(self, name: str, settings: Settings, port: int, consume: bool):
        self.name, self.settings, self.consume = name, settings, consume
        self.runtime: ServiceRuntime | None = None
        super().__init__({
            "bind": f"{settings.host}:{port}", "workers": settings.web_workers, "threads": settings.web_threads,
            "worker_class": "gthread", "post_worker_init": _start_runtime, "worker_exit": _stop_runtime,
            "graceful_timeout": 10, "timeout": 60, "proc_name": f"daiban-{name}", "accesslog": None,
        })

    def load(self):
        logs.configure(self.settings.log_level)
        self.runtime = ServiceRuntime(SPECS[self.name], self.settings, consume=self.consume)
        return self.runtime.app()


def _start_runtime(worker):
    worker.app.runtime.start()


def _stop_runtime(_server, worker):
    if getattr(worker.app, "runtime", None):
        worker.app.runtime.stop()


class GatewayServer(_Gunicorn):
    def __init__(self, settings: Settings):
        self.settings = settings
        super().__init__({"bind": f"{settings.host}:{settings.port}", "workers": 1, "threads": 32,
                          "worker_class": "gthread", "proc_name": "daiban-gateway", "accesslog": None,
                          "timeout": 60})

    def load(self):
        from .gateway import gateway_app
        logs.configure(self.settings.log_level)
        return gateway_app(self.settings)
