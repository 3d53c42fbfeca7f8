import pytest

from tests.support import broker
from tests.support.services import make_settings


@pytest.fixture
def settings():
    """Development settings: in-memory bus and store, unique names per test."""
    return make_settings()


@pytest.fixture
def amqp_url():
    """A fresh vhost on the real RabbitMQ for this test, deleted afterwards."""
    broker.require_broker()
    vhost = broker.create_vhost()
    yield broker.url_for(vhost)
    broker.delete_vhost(vhost)


@pytest.fixture
def amqp_settings(amqp_url):
    return make_settings(AMQP_URL=amqp_url)
