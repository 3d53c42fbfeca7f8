#!/usr/bin/env python
"""How the cost of one POST /api/v1/petitions grows with the number of petitions in the in-memory store.

intake in-process (Flask test client, memory:// bus, no consumer, the outbox relay not started, so
nothing else competes), mongomock store (no MONGO_URL). Petitions are submitted in rounds, each
with its own Idempotency-Key, and the mean time per request is printed at each store size. No
broker, no HTTP server, no sockets: what remains is the application and the store.

    .venv/bin/python bench/intake_store_scaling.py                      # up to 1,000 petitions
    .venv/bin/python bench/intake_store_scaling.py --sizes 0,500,1000,3000

This is a benchmark, not a test: it prints figures.
"""
from __future__ import annotations

import argparse
import os
import platform
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

VILLAGE = "152531100901"
PETITION = {"title": "草场边界纠纷", "description": "邻居的围栏越过了我家草场的边界，已经两年没有解决。",
            "division": VILLAGE, "category": "complaint", "channel": "mini_program", "language": "zh"}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="0,250,500,1000",
                        help="store sizes (petitions already stored) to measure at (default 0,250,500,1000)")
    parser.add_argument("--sample", type=int, default=40, help="requests timed at each size (default 40)")
    parser.add_argument("--max-seconds", type=float, default=40.0,
                        help="stop before a size that cannot be reached within this budget (default 40)")
    args = parser.parse_args(argv)
    sizes = sorted({int(x) for x in args.sizes.split(",") if x.strip()})

    from services.registry import SPECS
    from shared.runtime import ServiceRuntime
    from tests.support.services import auth, make_settings

    settings = make_settings(AMQP_URL="memory://")
    runtime = ServiceRuntime(SPECS["intake"], settings, consume=False)
    client = runtime.app().test_client()
    headers = auth(settings, "petitioner", f"bench-{uuid.uuid4().hex[:8]}", VILLAGE)
    stored = 0

    def submit(n: int) -> float:
        nonlocal stored
        start = time.perf_counter()
        for _ in range(n):
            r = client.post("/api/v1/petitions", json=PETITION,
                            headers={**headers, "Idempotency-Key": uuid.uuid4().hex})
            if r.status_code != 201:
                raise RuntimeError(f"POST /api/v1/petitions answered {r.status_code}: {r.get_data(as_text=True)[:300]}")
            stored += 1
        return time.perf_counter() - start

    rows, began, stopped = [], time.perf_counter(), None
    for size in sizes:
        while stored < size:
            if time.perf_counter() - began > args.max_seconds:
                stopped = size
                break
            submit(min(25, size - stored))
        if stopped is not None:
            break
        at = stored
        seconds = submit(args.sample)
        rows.append((at, 1000 * seconds / args.sample))
    runtime.stop()

    print()
    print("=" * 72)
    print(f"intake POST /api/v1/petitions in-process, mongomock store   {os.cpu_count()} cores   "
          f"Python {platform.python_version()}")
    print("-" * 72)
    print(f"{'petitions stored':>18}{'ms/request':>14}{'requests/s (1 thread)':>26}")
    for at, ms in rows:
        print(f"{at:>18,}{ms:>14.2f}{1000 / ms:>26,.0f}")
    if stopped is not None:
        print(f"stopped before {stopped:,} petitions: the {args.max_seconds:g} s budget was spent")
    print(f"total {time.perf_counter() - began:.1f} s, {stored:,} petitions submitted")
    print("=" * 72)
    return 0


if __name__ == "__main__":
    sys.exit(main())
