#!/usr/bin/env python
"""Intake submit throughput: POST /api/v1/petitions on `daiban serve intake` over RabbitMQ, against a
bare Flask JSON POST endpoint under the same gunicorn settings (the ceiling), in the same run.

What it does (see docs/benchmarks.md):
  1. A fresh RabbitMQ vhost, with every service's queues declared (`daiban declare`) so the relay's
     petition.submitted events are routed and stored as in a deployment.
  2. The ceiling: this script started again as `--bare-server PORT`, a Flask app with one JSON POST
     route under gunicorn gthread with the workers and threads `daiban serve` uses; driven for
     --duration seconds.
  3. `daiban serve intake --port <free port>` (AMQP_URL to the vhost, DAIBAN_LOG_LEVEL=WARNING, no
     MONGO_URL: the in-memory mongomock store); wait for /healthz; a petitioner token from
     POST /api/v1/auth/dev-token; then POST /api/v1/petitions for --duration seconds, each request
     with its own Idempotency-Key. Afterwards /metrics tells how many submitted events the outbox
     relay published during the run and how many were still waiting.
Load comes from wrk (a Lua script with the JSON body and headers) when it is installed, otherwise
from a bounded pool of Python threads using requests. Both servers are stopped and the vhost is
deleted at the end, whatever happens.

    .venv/bin/python bench/intake_submit.py                  # 15 s per endpoint, 16 connections
    .venv/bin/python bench/intake_submit.py --duration 10 --connections 32 --client python

This is a benchmark, not a test: it prints figures and exits 1 only when a check fails.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

VILLAGE = "152531100901"   # a village of the synthetic registry (banner 152531)
PETITION = {"title": "草场边界纠纷", "description": "邻居的围栏越过了我家草场的边界，已经两年没有解决。",
            "division": VILLAGE, "category": "complaint", "channel": "mini_program", "language": "zh"}
BARE_PATH = "/bare"


# --------------------------------------------------------------------------------------------------
# the ceiling: a bare Flask JSON POST endpoint under the gunicorn settings of `daiban serve`
# --------------------------------------------------------------------------------------------------

def gunicorn_options(port: int, workers: int, threads: int) -> dict:
    """The options services/servers.py ServiceServer gives gunicorn, minus the runtime hooks."""
    return {"bind": f"127.0.0.1:{port}", "workers": workers, "threads": threads,
            "worker_class": "gthread", "graceful_timeout": 10, "timeout": 60, "proc_name": "daiban-bench-bare",
            "accesslog": None, "loglevel": "warning"}


def serve_bare(port: int, workers: int, threads: int) -> None:
    from flask import Flask, jsonify, request
    from gunicorn.app.base import BaseApplication

    app = Flask("daiban.bench.bare")

    @app.get("/healthz")
    def healthz():
        return jsonify(status="alive")

    @app.post(BARE_PATH)
    def bare():
        body = request.get_json()
        return jsonify(id=uuid.uuid4().hex, status="submitted", **body), 201

    class Bare(BaseApplication):
        def load_config(self):
            for key, value in gunicorn_options(port, workers, threads).items():
                self.cfg.set(key, value)

        def load(self):
            return app

    Bare().run()


# --------------------------------------------------------------------------------------------------
# processes
# --------------------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A server subprocess in its own process group, stopped (TERM, then KILL) by its own pid."""

    def __init__(self, name: str, argv: list[str], env: dict, port: int):
        self.name, self.port = name, port
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT,
                                        start_new_session=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_healthy(self, timeout: float = 40.0) -> None:
        import requests
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}:\n{self.output()}")
            try:
                if requests.get(f"{self.base}/healthz", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not answer /healthz within {timeout:.0f} s:\n{self.output()}")

    def output(self, limit: int = 4000) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-limit:]

    def stop(self) -> None:
        """TERM to the gunicorn master (it stops its workers); KILL the process group if it lingers."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)
        try:   # a worker orphaned by a killed master is still in the group
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.log.close()


# --------------------------------------------------------------------------------------------------
# load generators
# --------------------------------------------------------------------------------------------------

WRK_SCRIPT = r"""
-- generated by bench/intake_submit.py
wrk.method = "POST"
wrk.body = %(body)s
local base_headers = {["Content-Type"] = "application/json", ["Accept"] = "application/json"%(auth)s}
local unique_keys = %(unique)s
local threads = {}
-- globals: setup() sets `prefix` in each thread's Lua state, done() reads `bad` and `last_bad` back
counter, prefix, bad, last_bad = 0, "", 0, 0

function setup(thread)
  thread:set("prefix", string.format("%(run)s-%%d-", #threads + 1))
  table.insert(threads, thread)
end

function request()
  counter = counter + 1
  local headers = {}
  for k, v in pairs(base_headers) do headers[k] = v end
  if unique_keys then headers["Idempotency-Key"] = prefix .. counter end
  return wrk.format(nil, nil, headers, nil)
end

function response(status, headers, body)
  if status ~= 201 then
    bad = bad + 1
    last_bad = status
  end
end

function done(summary, latency, requests)
  local bad_total, statuses = 0, {}
  for _, t in ipairs(threads) do
    bad_total = bad_total + (t:get("bad") or 0)
    local s = t:get("last_bad") or 0
    if s ~= 0 then table.insert(statuses, s) end
  end
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %%d, "duration_us": %%d, "p50_us": %%d, "p90_us": %%d, "p99_us": %%d, ' ..
    '"max_us": %%d, "not_201": %%d, "statuses": [%%s], "connect": %%d, "read": %%d, "write": %%d, ' ..
    '"status": %%d, "timeout": %%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, bad_total, table.concat(statuses, ","),
    e.connect, e.read, e.write, e.status, e.timeout))
end
"""


def wrk_script(body: dict, token: str | None, unique_keys: bool, run_id: str) -> str:
    def lua_string(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    script = WRK_SCRIPT % {"body": lua_string(json.dumps(body, ensure_ascii=False)),
                           "auth": f', ["Authorization"] = {lua_string("Bearer " + token)}' if token else "",
                           "unique": "true" if unique_keys else "false", "run": run_id}
    return script


def run_wrk(url: str, body: dict, token: str | None, unique_keys: bool, duration: int, connections: int,
            threads: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(wrk_script(body, token, unique_keys, uuid.uuid4().hex[:8]))
        script = f.name
    try:
        completed = subprocess.run(["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s",
                                    "-s", script, url], capture_output=True, text=True, timeout=duration + 30)
    finally:
        os.unlink(script)
    match = re.search(r"^WRK_JSON (.*)$", completed.stdout, re.M)
    if completed.returncode != 0 or not match:
        raise RuntimeError(f"wrk failed ({completed.returncode}):\n{completed.stdout}\n{completed.stderr}")
    raw = json.loads(match.group(1))
    seconds = raw["duration_us"] / 1e6
    socket_errors = raw["connect"] + raw["read"] + raw["write"] + raw["timeout"]
    return {"requests": raw["requests"], "seconds": seconds, "rps": raw["requests"] / seconds,
            "p50_ms": raw["p50_us"] / 1000, "p90_ms": raw["p90_us"] / 1000, "p99_ms": raw["p99_us"] / 1000,
            "max_ms": raw["max_us"] / 1000, "errors": raw["not_201"] + socket_errors,
            "not_201": raw["not_201"], "socket_errors": socket_errors, "statuses": sorted(set(raw["statuses"]))}


def run_python(url: str, body: dict, token: str | None, unique_keys: bool, duration: int,
               connections: int) -> dict:
    """The fallback client: `connections` threads, each with its own keep-alive session."""
    import requests
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    payload = json.dumps(body, ensure_ascii=False).encode()
    run_id = uuid.uuid4().hex[:8]
    deadline = time.perf_counter() + duration
    lock = threading.Lock()
    latencies: list[float] = []
    errors = {"not_201": 0, "socket": 0, "statuses": set()}

    def drive(worker: int) -> None:
        mine, n = [], 0
        with requests.Session() as session:
            while time.perf_counter() < deadline:
                n += 1
                h = dict(headers)
                if unique_keys:
                    h["Idempotency-Key"] = f"{run_id}-{worker}-{n}"
                start = time.perf_counter()
                try:
                    status = session.post(url, data=payload, headers=h, timeout=10).status_code
                except requests.RequestException:
                    status = None
                mine.append(time.perf_counter() - start)
                if status != 201:
                    with lock:
                        if status is None:
                            errors["socket"] += 1
                        else:
                            errors["not_201"] += 1
                            errors["statuses"].add(status)
        with lock:
            latencies.extend(mine)

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=connections) as pool:
        list(pool.map(drive, range(connections)))
    seconds = time.perf_counter() - start
    latencies.sort()

    def pct(p: float) -> float:
        return 1000 * latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] if latencies else 0.0
    return {"requests": len(latencies), "seconds": seconds, "rps": len(latencies) / seconds,
            "p50_ms": pct(50), "p90_ms": pct(90), "p99_ms": pct(99), "max_ms": pct(100),
            "errors": errors["not_201"] + errors["socket"], "not_201": errors["not_201"],
            "socket_errors": errors["socket"], "statuses": sorted(errors["statuses"])}


# --------------------------------------------------------------------------------------------------
# the run
# --------------------------------------------------------------------------------------------------

def metric(text: str, name: str, **labels: str) -> float:
    """Sum of a Prometheus sample's values whose labels include ``labels``."""
    total = 0.0
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        if all(f'{k}="{v}"' in line for k, v in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total


def relay_state(base: str) -> dict:
    import requests
    text = requests.get(f"{base}/metrics", timeout=10).text
    return {"published": metric(text, "daiban_events_published_total", type="petition.submitted"),
            "accepted": metric(text, "daiban_http_requests_total", method="POST", route="/api/v1/petitions",
                               status="201"),
            "backlog": metric(text, "daiban_outbox_backlog", service="intake")}


def sanity_checks(base: str, token: str) -> list[tuple[str, bool, str]]:
    """A few requests before the load, so a broken endpoint is not measured as a fast one."""
    import requests
    auth = {"Authorization": f"Bearer {token}"}
    checks = []
    r = requests.post(f"{base}/api/v1/petitions", json=PETITION,
                      headers={**auth, "Idempotency-Key": f"sanity-{uuid.uuid4().hex}"}, timeout=10)
    checks.append(("POST /api/v1/petitions with an Idempotency-Key answers 201", r.status_code == 201,
                   f"{r.status_code}"))
    statuses = [requests.post(f"{base}/api/v1/petitions", json=PETITION, headers=auth, timeout=10).status_code
                for _ in range(2)]
    checks.append(("the same petitioner submits twice without an Idempotency-Key: 201, 201",
                   statuses == [201, 201], f"{statuses[0]}, {statuses[1]}"))
    return checks


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=15, help="seconds of load per endpoint (default 15)")
    parser.add_argument("--connections", type=int, default=16, help="concurrent connections (default 16)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--client", choices=("auto", "wrk", "python"), default="auto",
                        help="load generator: wrk when installed (auto), or the Python thread pool")
    parser.add_argument("--drain", type=float, default=8.0,
                        help="after the intake load, wait at most this long for the relay to publish what "
                             "is still in the outboxes (default 8 s)")
    parser.add_argument("--infra-ceiling", action="store_true",
                        help="also measure the bare endpoint with -w 2 --threads 4, the settings of the "
                             "figures in infrastructure.md (adds --duration seconds)")
    parser.add_argument("--bare-server", type=int, nargs=3, metavar=("PORT", "WORKERS", "THREADS"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.bare_server:
        serve_bare(*args.bare_server)
        return 0
    if not 1 <= args.duration <= 25:
        parser.error("--duration must be 1 to 25 seconds (the whole run must stay under a minute)")
    if not 1 <= args.connections <= 256:
        parser.error("--connections must be 1 to 256")

    import requests

    from shared import config
    from tests.support.broker import broker_reachable, create_vhost, delete_vhost, url_for

    client = args.client
    if client == "auto":
        client = "wrk" if shutil.which("wrk") else "python"
    elif client == "wrk" and not shutil.which("wrk"):
        parser.error("wrk is not installed (apt-get install -y wrk)")
    if not broker_reachable():
        print("RabbitMQ is not reachable at 127.0.0.1:5672", file=sys.stderr)
        return 2

    def drive(url, body, token, unique_keys):
        if client == "wrk":
            return run_wrk(url, body, token, unique_keys, args.duration, args.connections, args.threads)
        return run_python(url, body, token, unique_keys, args.duration, args.connections)

    daiban = str(Path(sys.executable).parent / "daiban")
    # the caller's DAIBAN_* settings (e.g. DAIBAN_WEB_THREADS) apply to both servers alike; the store is
    # always the in-memory one and the broker always a fresh vhost
    base_env = {k: v for k, v in os.environ.items() if k not in {"AMQP_URL", "MONGO_URL"}}
    base_env["DAIBAN_LOG_LEVEL"] = "WARNING"
    settings = config.load(base_env)
    results, checks, relay, log_tail = {}, [], {}, ""
    servers: list[Server] = []
    load_before = os.getloadavg()[0]
    vhost = create_vhost()
    try:
        env = {**base_env, "AMQP_URL": url_for(vhost)}
        subprocess.run([daiban, "declare"], env=env, cwd=ROOT, check=True, capture_output=True, timeout=60)

        ceilings = [("ceiling", settings.web_workers, settings.web_threads)]
        if args.infra_ceiling:
            ceilings.append(("ceiling_infra", 2, 4))
        body = {**PETITION, "petitioner": "bench"}
        for key, workers, threads in ceilings:
            print(f"[{key}] bare Flask JSON POST under gunicorn gthread -w {workers} --threads {threads}; "
                  f"{client}, {args.connections} connections, {args.duration} s ...", flush=True)
            port = free_port()
            bare = Server("bare Flask", [sys.executable, str(Path(__file__).resolve()), "--bare-server",
                                         str(port), str(workers), str(threads)], env, port)
            servers.append(bare)
            bare.wait_healthy()
            r = requests.post(f"{bare.base}{BARE_PATH}", json=body, timeout=5)
            checks.append((f"bare POST (-w {workers} --threads {threads}) answers 201", r.status_code == 201,
                           str(r.status_code)))
            results[key] = drive(f"{bare.base}{BARE_PATH}", body, None, False)
            bare.stop()
            servers.remove(bare)

        print(f"[intake] daiban serve intake over RabbitMQ; {client}, {args.connections} connections, "
              f"{args.duration} s ...", flush=True)
        port = free_port()
        intake = Server("daiban serve intake", [daiban, "serve", "intake", "--port", str(port)], env, port)
        servers.append(intake)
        intake.wait_healthy()
        r = requests.post(f"{intake.base}/api/v1/auth/dev-token",
                          json={"role": "petitioner", "sub": f"bench-{uuid.uuid4().hex[:8]}", "division": VILLAGE},
                          timeout=10)
        r.raise_for_status()
        token = r.json()["token"]
        checks.extend(sanity_checks(intake.base, token))
        before = relay_state(intake.base)
        results["intake"] = drive(f"{intake.base}/api/v1/petitions", PETITION, token, True)
        after_load = relay_state(intake.base)
        # then let the relay catch up, for at most --drain seconds; "accepted" counts the 201 answers,
        # including the sanity checks' and those still in flight when the load generator stopped
        drain_start = time.perf_counter()
        after_drain = after_load
        while after_drain["published"] < after_drain["accepted"] and time.perf_counter() - drain_start < args.drain:
            time.sleep(0.5)
            after_drain = relay_state(intake.base)
        relay = {"during": after_load["published"] - before["published"],
                 "waiting_end": after_load["accepted"] - after_load["published"], "gauge_end": after_load["backlog"],
                 "drained": after_drain["published"] - after_load["published"],
                 "drain_seconds": time.perf_counter() - drain_start,
                 "waiting_after_drain": after_drain["accepted"] - after_drain["published"],
                 "seconds": results["intake"]["seconds"], "stored": after_drain["accepted"]}
        log_tail = intake.output(1500).strip()
    finally:
        for server in servers:
            server.stop()
        delete_vhost(vhost)

    width = 100
    print()
    print("=" * width)
    print(f"Intake submit throughput   {client}, {args.connections} connections, {args.duration} s each   "
          f"gunicorn gthread -w {settings.web_workers} --threads {settings.web_threads}   "
          f"{os.cpu_count()} cores   Python {platform.python_version()}")
    print("-" * width)
    print(f"{'endpoint':<44}{'req/s':>9}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}{'requests':>10}{'errors':>8}")
    labels = {"ceiling": f"bare Flask POST (ceiling, same settings)",
              "ceiling_infra": "bare Flask POST (-w 2 --threads 4)",
              "intake": "intake POST /api/v1/petitions"}
    for key, r in results.items():
        print(f"{labels[key]:<44}{r['rps']:>9,.0f}{r['p50_ms']:>9.1f}{r['p90_ms']:>9.1f}{r['p99_ms']:>9.1f}"
              f"{r['requests']:>10,}{r['errors']:>8,}")
    if "ceiling" in results and "intake" in results:
        share = 100 * results["intake"]["rps"] / results["ceiling"]["rps"]
        print(f"intake reaches {share:.0f}% of the bare endpoint under the same settings in this run; "
              f"{relay.get('stored', 0):,.0f} petitions in the store at the end (mongomock)")
    for key, r in results.items():
        if r["errors"]:
            print(f"  {labels[key]}: {r['not_201']:,} answers other than 201 (e.g. {r['statuses']}), "
                  f"{r['socket_errors']:,} socket errors/timeouts")
    if relay:
        accepted = results["intake"]["rps"] * (1 - results["intake"]["errors"] / max(results["intake"]["requests"], 1))
        print(f"outbox relay during the load: {relay['during']:,.0f} petition.submitted events published "
              f"({relay['during'] / relay['seconds']:,.1f}/s, against {accepted:,.1f} petitions/s accepted); "
              f"{relay['waiting_end']:,.0f} waiting at the end (the daiban_outbox_backlog gauge said "
              f"{relay['gauge_end']:,.0f})")
        done = "all published" if relay["waiting_after_drain"] <= 0 else f"{relay['waiting_after_drain']:,.0f} still waiting"
        print(f"after the load: {relay['drained']:,.0f} more published in {relay['drain_seconds']:.1f} s "
              f"({relay['drained'] / max(relay['drain_seconds'], 1e-9):,.1f}/s), {done}")
    print(f"load average (1 min) before {load_before:.2f}, after {os.getloadavg()[0]:.2f}")
    print("-" * width)
    for name, ok, detail in checks:
        print(f"{'ok  ' if ok else 'FAIL'} {name} (got {detail})")
    print("=" * width)
    failed = [c for c in checks if not c[1]]
    if failed and log_tail:
        print("last lines of the intake server's log:\n" + log_tail)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
