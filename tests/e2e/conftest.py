"""The five services as five OS processes (``daiban up``: gunicorn APIs behind the gateway) over the real
RabbitMQ, on free ports and a fresh vhost. Each test module gets its own platform (fresh in-memory stores),
so the figures one module counts are its own."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys

import pytest
import requests

from tests.support import broker
from tests.support.waiting import wait_for


def free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def _ready(base: str) -> bool:
    try:
        return requests.get(f"{base}/readyz", timeout=2).status_code == 200
    except requests.RequestException:
        return False


@pytest.fixture(scope="module")
def amqp_url_module():
    broker.require_broker()
    vhost = broker.create_vhost()
    yield broker.url_for(vhost)
    broker.delete_vhost(vhost)


@pytest.fixture(scope="module")
def platform(amqp_url_module, tmp_path_factory):
    """``{"base": gateway URL, "pid": the supervisor's pid, "ports": service ports, "log": log file}``."""
    amqp_url, tmp_path = amqp_url_module, tmp_path_factory.mktemp("platform")
    gateway_port, *service_ports = free_ports(6)
    env = {**os.environ, "AMQP_URL": amqp_url, "DAIBAN_PORT": str(gateway_port),
           "DAIBAN_SERVICE_PORTS": ",".join(map(str, service_ports)), "DAIBAN_LOG_LEVEL": "INFO"}
    env.pop("MONGO_URL", None)
    log = (tmp_path / "platform.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "services.cli", "up"], env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{gateway_port}"
    try:
        wait_for(lambda: _ready(base), timeout=60, interval=0.3, what="the platform's /readyz")
        yield {"base": base, "pid": proc.pid, "ports": service_ports, "log": tmp_path / "platform.log"}
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


def dev_token(base: str, role: str, sub: str, division: str) -> dict:
    """Authorization headers for a development token issued by the platform itself."""
    resp = requests.post(f"{base}/api/v1/auth/dev-token", json={"role": role, "sub": sub, "division": division},
                         timeout=5)
    assert resp.status_code == 201, resp.text
    return {"Authorization": f"Bearer {resp.json()['token']}"}


@pytest.fixture(scope="module")
def token(platform):
    """``token(role, sub, division)``: headers with a development token of the running platform."""
    return lambda role, sub, division: dev_token(platform["base"], role, sub, division)
