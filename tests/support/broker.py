"""A fresh RabbitMQ vhost per test: isolation without clean-up between tests.

When RabbitMQ is not reachable the broker tests are skipped with that reason, except under
CI=true, where a missing broker is a failure.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import uuid

import pytest

HOST, PORT = "127.0.0.1", 5672


def broker_reachable() -> bool:
    try:
        with socket.create_connection((HOST, PORT), timeout=2):
            return True
    except OSError:
        return False


def require_broker() -> None:
    if broker_reachable() and shutil.which("rabbitmqctl"):
        return
    reason = f"RabbitMQ not reachable at {HOST}:{PORT} (or rabbitmqctl missing)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason}: CI needs the broker", pytrace=False)
    pytest.skip(reason)


def _ctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True, timeout=60)


def create_vhost() -> str:
    vhost = f"daiban-test-{uuid.uuid4().hex[:10]}"
    _ctl("add_vhost", vhost)
    _ctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
    return vhost


def delete_vhost(vhost: str) -> None:
    subprocess.run(["rabbitmqctl", "-q", "delete_vhost", vhost], capture_output=True, timeout=60)


def url_for(vhost: str, port: int = PORT) -> str:
    return f"amqp://guest:guest@{HOST}:{port}/{vhost}"
