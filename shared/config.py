"""Settings: read once from the environment into one typed, validated object.

Every variable is listed in VARIABLES with its default and meaning; docs/configuration.md is
generated from that list (``daiban docs config``), so code and documentation cannot drift apart.
The embedded default needs none of them; production refuses to start without a real secret.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Mapping

DEV_SECRET = "daiban-development-secret-do-not-use-in-production"


class ConfigError(ValueError):
    """A setting is missing or invalid; the process must not start."""


@dataclass(frozen=True)
class Variable:
    name: str
    default: str
    meaning: str


VARIABLES: tuple[Variable, ...] = (
    Variable("DAIBAN_ENV", "development",
             "`development` or `production`. Production refuses the development secret and has no "
             "`/api/v1/auth/dev-token` route."),
    Variable("DAIBAN_SECRET", "(development value)",
             "Key for signing JWTs and deriving pseudonymous references. Required (32+ characters) "
             "in production."),
    Variable("DAIBAN_DATA_KEY", "(derived from DAIBAN_SECRET)",
             "Fernet key (urlsafe base64, 32 bytes) that encrypts personal data at rest. Set it "
             "explicitly in production. Note: DAIBAN_SECRET also keys the pseudonymous petitioner "
             "references, so rotating the secret detaches stored petitions from their owners."),
    Variable("AMQP_URL", "memory://",
             "Broker URL. `memory://` is the in-process bus of the embedded default; "
             "`amqp://user:pass@host:5672/vhost` for RabbitMQ."),
    Variable("MONGO_URL", "(unset: in-memory mongomock)",
             "MongoDB URL (`mongodb://...`). Unset gives each service process its own in-memory store."),
    Variable("DAIBAN_DB_PREFIX", "daiban",
             "Each service uses the database `<prefix>_<service>`."),
    Variable("DAIBAN_BANNERS", "(unset: all banners)",
             "Comma-separated 6-digit banner codes this process consumes events for, e.g. `152531`. "
             "Queues are then named per service and banner set."),
    Variable("DAIBAN_EXCHANGE", "daiban.events", "The durable topic exchange all domain events go to."),
    Variable("DAIBAN_QUEUE_PREFIX", "daiban",
             "First part of every queue name (`<prefix>.<service>[.<banners>]`, dead letters `...dead`)."),
    Variable("DAIBAN_PREFETCH", "16", "Unacknowledged messages a consumer may hold."),
    Variable("DAIBAN_RETRY_DELAYS", "0.1,0.5,2",
             "Seconds to wait before each retry of a failing handler; after the last one the message "
             "goes to the service's dead-letter queue."),
    Variable("DAIBAN_DELIVERY_LIMIT", "10",
             "RabbitMQ quorum-queue delivery limit: a message that crashes its consumer this many "
             "times is dead-lettered by the broker."),
    Variable("DAIBAN_HEARTBEAT", "30", "AMQP heartbeat in seconds."),
    Variable("DAIBAN_RELAY_INTERVAL", "0.05",
             "Seconds between outbox relay scans when nothing nudges it."),
    Variable("DAIBAN_MAX_BODY_BYTES", "1048576", "Largest accepted JSON request body (413 above)."),
    Variable("DAIBAN_TIMEZONE", "Asia/Shanghai",
             "Zone for calendar-day clocks and for timestamps in API answers."),
    Variable("DAIBAN_FIRST_CONTACT_HOURS", "24",
             "Local service level: hours from assignment to the agent's first contact."),
    Variable("DAIBAN_VILLAGE_CLOSURE_DAYS", "15",
             "Local service level: days a village-level matter is expected to close in."),
    Variable("DAIBAN_LOCAL_SLAS", "(unset: the two defaults above everywhere)",
             "Per-banner local service levels as JSON, e.g. "
             "`{\"152531\": {\"first_contact_hours\": 12, \"village_closure_days\": 10}}`."),
    Variable("DAIBAN_DUE_SOON_FRACTION", "0.8",
             "A clock warns (`assignment.due_soon`) once this fraction of its span has passed."),
    Variable("DAIBAN_CLOCK_INTERVAL", "30", "Seconds between the clock scheduler's passes."),
    Variable("DAIBAN_FEEDBACK_DAYS", "30", "Days after closure during which the petitioner may rate the result."),
    Variable("DAIBAN_DUPLICATE_THRESHOLD", "0.5",
             "Word-overlap (0–1) at or above which an open petition of the same petitioner and village is offered "
             "as a possible duplicate."),
    Variable("DAIBAN_MAX_PHOTO_BYTES", "10485760", "Largest photo attachment."),
    Variable("DAIBAN_MAX_AUDIO_BYTES", "20971520", "Largest audio attachment."),
    Variable("DAIBAN_MAX_VIDEO_BYTES", "52428800", "Largest video attachment."),
    Variable("DAIBAN_TRACKING_ATTEMPTS", "10",
             "Tracking-code look-ups allowed per client address and per petition number in each window."),
    Variable("DAIBAN_TRACKING_WINDOW", "600", "The window of DAIBAN_TRACKING_ATTEMPTS, in seconds."),
    Variable("DAIBAN_HOTLINE_WEIGHTS", "0.1,0.5,0.4",
             "Weights of the response, resolution and satisfaction rates in the combined score (接诉即办)."),
    Variable("DAIBAN_BASIC_SATISFACTION_WEIGHT", "0.9",
             "How much a 'basically satisfied' counts in the satisfaction rate."),
    Variable("DAIBAN_TOKEN_TTL", "86400", "Lifetime of development tokens, in seconds."),
    Variable("DAIBAN_DEMO_DATA", "true in development, false in production",
             "Load the league's synthetic demo agents at start when the agents collection is empty."),
    Variable("DAIBAN_LOG_LEVEL", "INFO", "Python log level of the JSON logs."),
    Variable("DAIBAN_HOST", "127.0.0.1", "Address the gateway (and the embedded server) listens on."),
    Variable("DAIBAN_PORT", "8000", "Port of the gateway (and the embedded server)."),
    Variable("DAIBAN_SERVICE_PORTS", "8001,8002,8003,8004,8005",
             "Ports of intake, assignment, mediation, notify, reporting behind the gateway (`make up`)."),
    Variable("DAIBAN_SERVICE_URLS", "(unset: http://127.0.0.1:<DAIBAN_SERVICE_PORTS>)",
             "Where the gateway finds each service, e.g. `intake=http://intake-api:8000,notify=http://notify-api:8000` "
             "(containers). Services not named use 127.0.0.1 and their port."),
    Variable("DAIBAN_PROXY_HOPS", "0",
             "How many trusted proxies (the gateway: 1) stand before a service; their X-Forwarded-For gives "
             "the client's address (per-address limits). `daiban up` sets 1 for the services it starts."),
    Variable("DAIBAN_WEB_WORKERS", "1",
             "gunicorn worker processes per service API. Above 1 needs MONGO_URL (an in-memory store "
             "cannot be shared between processes)."),
    Variable("DAIBAN_WEB_THREADS", "8", "Threads per gunicorn worker (gthread)."),
)


def _bool(raw: str) -> bool:
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 0) -> int:
    raw = env.get(name, str(default))
    try:
        value = int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from exc
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {value}")
    return value


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, str(default))
    try:
        return float(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from exc


def _banners(raw: str) -> tuple[str, ...]:
    codes = tuple(sorted({c.strip() for c in raw.split(",") if c.strip()}))
    bad = [c for c in codes if not (len(c) == 6 and c.isdigit())]
    if bad:
        raise ConfigError(f"DAIBAN_BANNERS takes 6-digit banner codes, got {bad}")
    return codes


_SLA_KEYS = {"first_contact_hours", "village_closure_days"}


def _local_slas(raw: str) -> dict:
    if not raw.strip():
        return {}
    try:
        slas = json.loads(raw)
    except ValueError as exc:
        raise ConfigError(f"DAIBAN_LOCAL_SLAS is not JSON: {exc}") from exc
    for banner, levels in (slas.items() if isinstance(slas, dict) else [(None, None)]):
        if not (isinstance(banner, str) and len(banner) == 6 and banner.isdigit() and isinstance(levels, dict)
                and set(levels) <= _SLA_KEYS
                and all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in levels.values())):
            raise ConfigError(f"DAIBAN_LOCAL_SLAS takes {{banner: {{{', '.join(sorted(_SLA_KEYS))}: n}}}}")
    return slas


def _check_fernet_key(key: str) -> None:
    from cryptography.fernet import Fernet
    try:
        Fernet(key.encode())
    except (ValueError, TypeError) as exc:
        raise ConfigError("DAIBAN_DATA_KEY must be a Fernet key: 32 bytes, url-safe base64 "
                          "(python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')"
                          ) from exc


def _weights(raw: str) -> tuple[float, float, float]:
    try:
        weights = tuple(float(w) for w in raw.split(","))
    except ValueError as exc:
        raise ConfigError(f"DAIBAN_HOTLINE_WEIGHTS takes three numbers, got {raw!r}") from exc
    if len(weights) != 3 or any(w < 0 for w in weights) or abs(sum(weights) - 1) > 1e-6:
        raise ConfigError("DAIBAN_HOTLINE_WEIGHTS takes three non-negative weights adding up to 1")
    return weights


def _ports(raw: str) -> tuple[int, ...]:
    try:
        return tuple(int(p) for p in raw.split(","))
    except ValueError as exc:
        raise ConfigError(f"DAIBAN_SERVICE_PORTS takes comma-separated port numbers, got {raw!r}") from exc


def _service_urls(raw: str) -> tuple[tuple[str, str], ...]:
    pairs = []
    for item in filter(None, (part.strip() for part in raw.split(","))):
        name, sep, url = item.partition("=")
        if not sep or not url.startswith(("http://", "https://")):
            raise ConfigError(f"DAIBAN_SERVICE_URLS takes name=http://host:port pairs, got {item!r}")
        pairs.append((name.strip(), url.rstrip("/")))
    return tuple(pairs)


def _delays(raw: str) -> tuple[float, ...]:
    try:
        delays = tuple(float(x) for x in raw.split(",") if x.strip())
    except ValueError as exc:
        raise ConfigError(f"DAIBAN_RETRY_DELAYS must be comma-separated seconds, got {raw!r}") from exc
    if any(d < 0 for d in delays):
        raise ConfigError("DAIBAN_RETRY_DELAYS cannot be negative")
    return delays


@dataclass(frozen=True)
class Settings:
    env: str = "development"
    secret: str = DEV_SECRET
    data_key: str | None = None
    amqp_url: str = "memory://"
    mongo_url: str | None = None
    db_prefix: str = "daiban"
    banners: tuple[str, ...] = ()
    exchange: str = "daiban.events"
    queue_prefix: str = "daiban"
    prefetch: int = 16
    retry_delays: tuple[float, ...] = (0.1, 0.5, 2.0)
    delivery_limit: int = 10
    heartbeat: int = 30
    relay_interval: float = 0.05
    max_body_bytes: int = 1024 * 1024
    timezone: str = "Asia/Shanghai"
    first_contact_hours: int = 24
    village_closure_days: int = 15
    local_slas: dict = field(default_factory=dict)
    due_soon_fraction: float = 0.8
    clock_interval: float = 30.0
    token_ttl: int = 86400
    feedback_days: int = 30
    duplicate_threshold: float = 0.5
    max_photo_bytes: int = 10 * 1024 * 1024
    max_audio_bytes: int = 20 * 1024 * 1024
    max_video_bytes: int = 50 * 1024 * 1024
    tracking_attempts: int = 10
    tracking_window: int = 600
    hotline_weights: tuple[float, float, float] = (0.1, 0.5, 0.4)
    basic_satisfaction_weight: float = 0.9
    demo_data: bool = True
    log_level: str = "INFO"
    host: str = "127.0.0.1"
    port: int = 8000
    service_ports: tuple[int, ...] = (8001, 8002, 8003, 8004, 8005)
    service_urls: tuple[tuple[str, str], ...] = ()
    proxy_hops: int = 0
    web_workers: int = 1
    web_threads: int = 8
    extra: dict = field(default_factory=dict)

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def uses_memory_bus(self) -> bool:
        return self.amqp_url.startswith("memory://")

    def local_sla(self, banner: str, name: str) -> int:
        """A local service level for a banner, falling back to the platform default."""
        return self.local_slas.get(banner, {}).get(name, getattr(self, name))

    def database_name(self, service: str) -> str:
        return f"{self.db_prefix}_{service}"


def load(env: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if env is None else env
    settings = Settings(
        env=env.get("DAIBAN_ENV", "development"),
        secret=env.get("DAIBAN_SECRET", DEV_SECRET),
        data_key=env.get("DAIBAN_DATA_KEY") or None,
        amqp_url=env.get("AMQP_URL", "memory://"),
        mongo_url=env.get("MONGO_URL") or None,
        db_prefix=env.get("DAIBAN_DB_PREFIX", "daiban"),
        banners=_banners(env.get("DAIBAN_BANNERS", "")),
        exchange=env.get("DAIBAN_EXCHANGE", "daiban.events"),
        queue_prefix=env.get("DAIBAN_QUEUE_PREFIX", "daiban"),
        prefetch=_int(env, "DAIBAN_PREFETCH", 16, minimum=1),
        retry_delays=_delays(env.get("DAIBAN_RETRY_DELAYS", "0.1,0.5,2")),
        delivery_limit=_int(env, "DAIBAN_DELIVERY_LIMIT", 10, minimum=1),
        heartbeat=_int(env, "DAIBAN_HEARTBEAT", 30),
        relay_interval=_float(env, "DAIBAN_RELAY_INTERVAL", 0.05),
        max_body_bytes=_int(env, "DAIBAN_MAX_BODY_BYTES", 1024 * 1024, minimum=1024),
        timezone=env.get("DAIBAN_TIMEZONE", "Asia/Shanghai"),
        first_contact_hours=_int(env, "DAIBAN_FIRST_CONTACT_HOURS", 24, minimum=1),
        village_closure_days=_int(env, "DAIBAN_VILLAGE_CLOSURE_DAYS", 15, minimum=1),
        local_slas=_local_slas(env.get("DAIBAN_LOCAL_SLAS", "")),
        due_soon_fraction=_float(env, "DAIBAN_DUE_SOON_FRACTION", 0.8),
        clock_interval=_float(env, "DAIBAN_CLOCK_INTERVAL", 30.0),
        token_ttl=_int(env, "DAIBAN_TOKEN_TTL", 86400, minimum=60),
        feedback_days=_int(env, "DAIBAN_FEEDBACK_DAYS", 30, minimum=1),
        duplicate_threshold=_float(env, "DAIBAN_DUPLICATE_THRESHOLD", 0.5),
        max_photo_bytes=_int(env, "DAIBAN_MAX_PHOTO_BYTES", 10 * 1024 * 1024, minimum=1024),
        max_audio_bytes=_int(env, "DAIBAN_MAX_AUDIO_BYTES", 20 * 1024 * 1024, minimum=1024),
        max_video_bytes=_int(env, "DAIBAN_MAX_VIDEO_BYTES", 50 * 1024 * 1024, minimum=1024),
        tracking_attempts=_int(env, "DAIBAN_TRACKING_ATTEMPTS", 10, minimum=1),
        tracking_window=_int(env, "DAIBAN_TRACKING_WINDOW", 600, minimum=1),
        hotline_weights=_weights(env.get("DAIBAN_HOTLINE_WEIGHTS", "0.1,0.5,0.4")),
        basic_satisfaction_weight=_float(env, "DAIBAN_BASIC_SATISFACTION_WEIGHT", 0.9),
        demo_data=_bool(env.get("DAIBAN_DEMO_DATA",
                                "false" if env.get("DAIBAN_ENV") == "production" else "true")),
        log_level=env.get("DAIBAN_LOG_LEVEL", "INFO").upper(),
        host=env.get("DAIBAN_HOST", "127.0.0.1"),
        port=_int(env, "DAIBAN_PORT", 8000, minimum=1),
        service_ports=_ports(env.get("DAIBAN_SERVICE_PORTS", "8001,8002,8003,8004,8005")),
        service_urls=_service_urls(env.get("DAIBAN_SERVICE_URLS", "")),
        proxy_hops=_int(env, "DAIBAN_PROXY_HOPS", 0),
        web_workers=_int(env, "DAIBAN_WEB_WORKERS", 1, minimum=1),
        web_threads=_int(env, "DAIBAN_WEB_THREADS", 8, minimum=1),
    )
    validate(settings)
    return settings


def validate(settings: Settings) -> None:
    if settings.env not in {"development", "production"}:
        raise ConfigError(f"DAIBAN_ENV must be development or production, got {settings.env!r}")
    if settings.is_production:
        if settings.secret == DEV_SECRET or len(settings.secret) < 32:
            raise ConfigError("production needs DAIBAN_SECRET set to a random value of 32+ characters")
        if settings.uses_memory_bus:
            raise ConfigError("production needs AMQP_URL pointing at RabbitMQ")
        if not settings.mongo_url:
            raise ConfigError("production needs MONGO_URL: the in-memory store keeps nothing")
    if settings.data_key:
        _check_fernet_key(settings.data_key)
    if not 0 < settings.duplicate_threshold <= 1:
        raise ConfigError("DAIBAN_DUPLICATE_THRESHOLD must be above 0 and at most 1")
    if not 0 <= settings.basic_satisfaction_weight <= 1:
        raise ConfigError("DAIBAN_BASIC_SATISFACTION_WEIGHT must be between 0 and 1")
    if settings.clock_interval <= 0 or settings.relay_interval <= 0:
        raise ConfigError("DAIBAN_CLOCK_INTERVAL and DAIBAN_RELAY_INTERVAL must be positive")
    if not 0 < settings.due_soon_fraction < 1:
        raise ConfigError("DAIBAN_DUE_SOON_FRACTION must be between 0 and 1")
    if settings.heartbeat and sum(settings.retry_delays) >= settings.heartbeat / 2:
        # a consumer retrying in place sends no heartbeats; the broker would close it mid-retry
        raise ConfigError("the sum of DAIBAN_RETRY_DELAYS must stay under half of DAIBAN_HEARTBEAT")
    if len(settings.service_ports) != 5:
        raise ConfigError("DAIBAN_SERVICE_PORTS needs five ports")
    if settings.web_workers > 1 and not settings.mongo_url:
        raise ConfigError("DAIBAN_WEB_WORKERS > 1 needs MONGO_URL: in-memory stores are per process")
