"""One ``db`` fixture, parametrised over every store backend the services can meet.

- ``mongomock``: always; built by ``shared.store.connect`` without MONGO_URL (the serialised wrapper).
- ``mongo_url``: when MONGO_URL is set; a fresh database on that server, dropped afterwards.
- ``testcontainers``: a real MongoDB in a container when a Docker engine is reachable; otherwise
  skipped with the one reason below (the only skip this suite allows).

Each test gets its own database with the indexes of all five services created exactly as the
runtime creates them (``shared.store.ensure_indexes`` with each ``services/*/store.INDEXES``).
"""
from __future__ import annotations

import gc
import os
import warnings

import pytest

from shared import store
from tests.support.services import make_settings

from .builders import SERVICE_INDEXES

NO_DOCKER = "no Docker engine reachable: testcontainers MongoDB cases skipped"
MONGO_IMAGE = "mongo:7.0"

BACKENDS = ["mongomock"] + (["mongo_url"] if os.environ.get("MONGO_URL") else []) + ["testcontainers"]


def docker_engine_reachable() -> bool:
    # a failed probe leaves docker-py's unix socket unclosed; let it go quietly here
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        reachable = _ping_docker()
        gc.collect()
    return reachable


def _ping_docker() -> bool:
    client = None
    try:
        import docker
        client = docker.from_env(timeout=3)
        return bool(client.ping())
    except Exception:
        return False
    finally:
        if client is not None:
            client.close()


@pytest.fixture(scope="session")
def testcontainers_mongo_url():
    if not docker_engine_reachable():
        pytest.skip(NO_DOCKER)
    try:
        from testcontainers.community.mongodb import MongoDbContainer
    except ImportError:  # older testcontainers: the same class under its old name
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            from testcontainers.mongodb import MongoDbContainer
    with MongoDbContainer(MONGO_IMAGE) as container:
        yield container.get_connection_url()


def _mongo_url(request, backend: str) -> str | None:
    if backend == "mongomock":
        return None
    if backend == "mongo_url":
        return os.environ["MONGO_URL"]
    return request.getfixturevalue("testcontainers_mongo_url")


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def db(request, backend):
    url = _mongo_url(request, backend)
    settings = make_settings(**({"MONGO_URL": url} if url else {}))
    database = store.connect(settings, "conformance")
    for indexes in SERVICE_INDEXES.values():
        store.ensure_indexes(database, indexes)
    yield database
    if not store.is_in_memory(database):
        database.client.drop_database(database.name)
        database.client.close()
