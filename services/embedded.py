"""``daiban run``: the five services in one process on one port, the bus in memory, the data in
memory, the league's demo data loaded. Nothing to install, nothing kept after it stops."""
from __future__ import annotations

import logging
import signal
import threading

from werkzeug.serving import make_server

from shared import logs
from shared.config import Settings

from .front import Dispatcher, platform_app
from .registry import SPECS
from shared.runtime import ServiceRuntime

log = logging.getLogger(__name__)


class Embedded:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.runtimes = {name: ServiceRuntime(spec, settings) for name, spec in SPECS.items()}
        apps = {name: rt.app() for name, rt in self.runtimes.items()}
        self.wsgi = Dispatcher(apps, platform_app("embedded", self.readiness))

    def readiness(self) -> dict:
        return {name: rt.readiness() for name, rt in self.runtimes.items()}

    def start(self) -> None:
        # consumers first: the in-memory exchange drops what no queue is bound to yet
        for rt in self.runtimes.values():
            rt.start_consumer()
        for rt in self.runtimes.values():
            rt.wait_consuming()
        for rt in self.runtimes.values():
            rt.start_relay()

    def stop(self) -> None:
        for rt in self.runtimes.values():
            rt.stop()


def serve(settings: Settings) -> None:
    logs.configure(settings.log_level)
    platform = Embedded(settings)
    platform.start()
    server = make_server(settings.host, settings.port, platform.wsgi, threaded=True)
    stopping = threading.Event()

    def shut_down(*_):
        if not stopping.is_set():
            stopping.set()
            threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, shut_down)
    signal.signal(signal.SIGINT, shut_down)
    print(banner(settings), flush=True)
    try:
        server.serve_forever()
    finally:
        platform.stop()
        print("Daiban stopped.", flush=True)


def banner(settings: Settings) -> str:
    base = f"http://{settings.host}:{settings.port}"
    lines = [f"Daiban is running (embedded: in-memory bus and store, demo data for 锡林郭勒盟) at {base}/",
             f"  health:        {base}/healthz   {base}/readyz",
             f"  dev token:     POST {base}/api/v1/auth/dev-token",
             f"  petitions:     {base}/api/v1/petitions",
             "  API docs:      " + "  ".join(f"{base}/docs/{n}/" for n in SPECS),
             "  Web portal, agent workbench and dashboard: not built yet (see the open issues).",
             "Data lives in memory and is gone when this stops. Ctrl-C to stop."]
    return "\n".join(lines)
