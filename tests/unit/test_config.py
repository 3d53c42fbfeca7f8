"""Settings: the embedded default needs no environment; production refuses unsafe ones."""
from __future__ import annotations

import pytest

from shared import config
from shared.config import DEV_SECRET, ConfigError, Settings

STRONG_SECRET = "s" * 32
PRODUCTION = {"DAIBAN_ENV": "production", "DAIBAN_SECRET": STRONG_SECRET,
              "AMQP_URL": "amqp://guest:guest@rabbit:5672/daiban", "MONGO_URL": "mongodb://mongo:27017"}


class RecordingEnv(dict):
    """An environment that remembers which variables were asked for."""

    def __init__(self):
        super().__init__()
        self.asked: set[str] = set()

    def get(self, key, default=None):
        self.asked.add(key)
        return super().get(key, default)


def test_an_empty_environment_gives_the_embedded_development_defaults():
    settings = config.load({})
    assert settings == Settings()
    assert settings.env == "development" and not settings.is_production
    assert settings.secret == DEV_SECRET
    assert settings.uses_memory_bus
    assert settings.mongo_url is None
    assert settings.banners == ()
    assert settings.timezone == "Asia/Shanghai"
    assert settings.database_name("intake") == "daiban_intake"


def test_every_variable_read_is_documented_and_every_documented_variable_is_read():
    env = RecordingEnv()
    config.load(env)
    assert env.asked == {v.name for v in config.VARIABLES}


def test_a_complete_production_environment_is_accepted():
    settings = config.load(PRODUCTION)
    assert settings.is_production
    assert not settings.uses_memory_bus


@pytest.mark.parametrize("override, complaint", [
    ({"DAIBAN_SECRET": DEV_SECRET}, "DAIBAN_SECRET"),
    ({"DAIBAN_SECRET": "s" * 31}, "DAIBAN_SECRET"),
    ({"AMQP_URL": "memory://"}, "AMQP_URL"),
    ({"MONGO_URL": ""}, "MONGO_URL"),
], ids=["development-secret", "short-secret", "memory-bus", "no-mongo-url"])
def test_production_refuses_unsafe_settings(override, complaint):
    with pytest.raises(ConfigError, match=complaint):
        config.load({**PRODUCTION, **override})


def test_production_without_a_secret_refuses_the_development_default():
    env = {k: v for k, v in PRODUCTION.items() if k != "DAIBAN_SECRET"}
    with pytest.raises(ConfigError, match="DAIBAN_SECRET"):
        config.load(env)


def test_an_unknown_environment_name_is_refused():
    with pytest.raises(ConfigError, match="DAIBAN_ENV"):
        config.load({"DAIBAN_ENV": "staging"})


def test_banners_are_deduplicated_and_sorted():
    assert config.load({"DAIBAN_BANNERS": " 152531,152502,152531 "}).banners == ("152502", "152531")


@pytest.mark.parametrize("raw", ["15253", "152531,abcdef", "1525311", "152531100"])
def test_banners_must_be_six_digit_codes(raw):
    with pytest.raises(ConfigError, match="DAIBAN_BANNERS"):
        config.load({"DAIBAN_BANNERS": raw})


def test_several_web_workers_need_a_shared_mongo_store():
    with pytest.raises(ConfigError, match="DAIBAN_WEB_WORKERS"):
        config.load({"DAIBAN_WEB_WORKERS": "2"})
    assert config.load({"DAIBAN_WEB_WORKERS": "2", "MONGO_URL": "mongodb://mongo:27017"}).web_workers == 2


@pytest.mark.parametrize("name, raw", [
    ("DAIBAN_PREFETCH", "many"), ("DAIBAN_PREFETCH", "0"), ("DAIBAN_TOKEN_TTL", "59"),
    ("DAIBAN_MAX_BODY_BYTES", "100"), ("DAIBAN_RELAY_INTERVAL", "soon"), ("DAIBAN_RETRY_DELAYS", "0.1,x"),
    ("DAIBAN_RETRY_DELAYS", "0.1,-1"), ("DAIBAN_SERVICE_PORTS", "8001,8002"),
])
def test_malformed_or_out_of_range_numbers_are_refused(name, raw):
    with pytest.raises(ConfigError):
        config.load({name: raw})


def test_numbers_and_flags_are_parsed():
    settings = config.load({"DAIBAN_RETRY_DELAYS": "0.5, 1", "DAIBAN_DEMO_DATA": "off",
                            "DAIBAN_LOG_LEVEL": "debug", "DAIBAN_PREFETCH": "4"})
    assert settings.retry_delays == (0.5, 1.0)
    assert settings.demo_data is False
    assert settings.log_level == "DEBUG"
    assert settings.prefetch == 4
