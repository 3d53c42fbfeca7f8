"""The ``daiban`` command."""
from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading

from shared import config, logs

DEFAULT_AMQP_URL = "amqp://guest:guest@127.0.0.1:5672//"


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        settings = config.load()
    except config.ConfigError as exc:
        print(f"daiban: configuration error: {exc}", file=sys.stderr)
        return 2
    return args.func(settings, args) or 0


def _parser() -> argparse.ArgumentParser:
    from .registry import NAMES
    parser = argparse.ArgumentParser(prog="daiban", description="Daiban, the petition-agency platform")
    sub = parser.add_subparsers(required=True, metavar="command")
    sub.add_parser("run", help="all five services in one process (embedded default)").set_defaults(func=_run)
    sub.add_parser("up", help="the five services as separate processes behind the gateway").set_defaults(func=_up)
    serve = sub.add_parser("serve", help="one service's API under gunicorn")
    serve.add_argument("service", choices=NAMES)
    serve.add_argument("--port", type=int, required=True)
    serve.add_argument("--no-consumers", action="store_true", help="run consumers as a separate worker")
    serve.set_defaults(func=_serve)
    worker = sub.add_parser("worker", help="one service's consumers and outbox relay, no HTTP")
    worker.add_argument("service", choices=NAMES)
    worker.set_defaults(func=_worker)
    sub.add_parser("gateway", help="the gateway of `daiban up`").set_defaults(func=_gateway)
    sub.add_parser("declare", help="declare the exchange and every service's queues").set_defaults(func=_declare)
    dead = sub.add_parser("dead-letters", help="list or replay a service's dead letters")
    dead.add_argument("action", choices=("list", "replay"))
    dead.add_argument("service", choices=NAMES)
    dead.add_argument("--id", action="append", dest="ids", help="replay only this message id (repeatable)")
    dead.set_defaults(func=_dead_letters)
    docs = sub.add_parser("docs", help="render docs/events.md or docs/configuration.md")
    docs.add_argument("page", choices=("events", "config"))
    docs.add_argument("--check", action="store_true", help="fail when the file in docs/ is stale")
    docs.set_defaults(func=_docs)
    token = sub.add_parser("token", help="print a development token")
    token.add_argument("--role", required=True)
    token.add_argument("--sub", required=True)
    token.add_argument("--division", required=True)
    token.set_defaults(func=_token)
    return parser


def _run(settings, _args):
    from .embedded import serve
    serve(settings)


def _up(settings, _args):
    from .supervisor import up
    logs.configure(settings.log_level)
    if settings.uses_memory_bus:
        settings = config.load({**os.environ, "AMQP_URL": DEFAULT_AMQP_URL})
    return up(settings)


def _serve(settings, args):
    from .servers import ServiceServer
    ServiceServer(args.service, settings, args.port, consume=not args.no_consumers).run()


def _gateway(settings, _args):
    from .servers import GatewayServer
    GatewayServer(settings).run()


def _worker(settings, args):
    from shared.runtime import ServiceRuntime
    from .registry import SPECS
    logs.configure(settings.log_level)
    runtime = ServiceRuntime(SPECS[args.service], settings).start()
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    done.wait()
    runtime.stop()


def _declare(settings, _args):
    from shared.bus.declare import declare_all
    from .registry import NAMES
    print("\n".join(declare_all(settings, list(NAMES))))


def _dead_letters(settings, args):
    from shared.bus.deadletters import list_dead_letters, replay_dead_letters
    if args.action == "list":
        for letter in list_dead_letters(settings, args.service):
            print(json.dumps({"id": letter.message_id, "type": letter.event_type, "error": letter.error,
                              "attempts": letter.attempts, "failed_at": letter.failed_at}, ensure_ascii=False))
        return 0
    print(f"replayed {replay_dead_letters(settings, args.service, args.ids)}")
    return 0


def _docs(settings, args):
    from . import docs
    return docs.write(args.page, check=args.check)


def _token(settings, args):
    from shared.http.auth import issue_token
    if settings.is_production:
        print("daiban: no development tokens in production", file=sys.stderr)
        return 2
    print(issue_token(settings, args.sub, args.role, args.division))
    return 0


if __name__ == "__main__":
    sys.exit(main())
