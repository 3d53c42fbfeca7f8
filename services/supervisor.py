"""``daiban up``: the five services as separate processes (APIs under gunicorn) behind the gateway.

Without MONGO_URL each service is one process holding its API, its consumer and its relay (an
in-memory store cannot be shared between processes). With MONGO_URL the consumers run as separate
``daiban worker`` processes and the APIs may have several gunicorn workers.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request

from shared.bus.declare import declare_all
from shared.config import Settings

from .registry import NAMES


def commands(settings: Settings) -> list[tuple[str, list[str]]]:
    exe = [sys.executable, "-m", "services.cli"]
    separate_workers = bool(settings.mongo_url)
    out = []
    for name, port in zip(NAMES, settings.service_ports):
        serve = exe + ["serve", name, "--port", str(port)] + (["--no-consumers"] if separate_workers else [])
        out.append((name, serve))
        if separate_workers:
            out.append((f"{name}-worker", exe + ["worker", name]))
    out.append(("gateway", exe + ["gateway"]))
    return out


def wait_ready(url: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return True
        except OSError:
            pass
        time.sleep(0.3)
    return False


def up(settings: Settings) -> int:
    print(f"declared queues: {', '.join(declare_all(settings, list(NAMES)))}", flush=True)
    env = {**os.environ, "AMQP_URL": settings.amqp_url, "DAIBAN_PROXY_HOPS": "1"}  # behind the gateway
    children = {name: subprocess.Popen(cmd, env=env) for name, cmd in commands(settings)}
    stopping = False

    def stop(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    base = f"http://{settings.host}:{settings.port}"
    if wait_ready(f"{base}/readyz", 60):
        print(f"Daiban is running as separate processes at {base}/ (API docs: {base}/docs/intake/). "
              "Ctrl-C to stop.", flush=True)
    else:
        print(f"Daiban did not become ready; see {base}/readyz", flush=True)
    code = 0
    while not stopping:
        for name, child in children.items():
            if child.poll() is not None:
                print(f"{name} exited with {child.returncode}; stopping everything", flush=True)
                stopping, code = True, 1
        time.sleep(0.5)
    for child in children.values():
        if child.poll() is None:
            child.terminate()
    for child in children.values():
        try:
            child.wait(15)
        except subprocess.TimeoutExpired:
            child.kill()
    print("Daiban stopped.", flush=True)
    return code
