"""The one connection factory: MONGO_URL gives pymongo, no MONGO_URL gives mongomock.

No other module knows which it got. Every state change in the services is a single-document
atomic update, which both honour; mongomock only needs each operation serialised (its own locks
guard its dicts, not a whole find-and-modify), which ``_SerializedDatabase`` does per client.
"""
from __future__ import annotations

import threading
from typing import Any, Iterable, Mapping

import mongomock
import pymongo
from pymongo import IndexModel
from pymongo.database import Database

from .config import Settings

IndexSpec = Mapping[str, Iterable[IndexModel]]


def connect(settings: Settings, service: str) -> Any:
    """The database a service owns (``<prefix>_<service>``)."""
    name = settings.database_name(service)
    if settings.mongo_url:
        client = pymongo.MongoClient(settings.mongo_url, tz_aware=True, connect=False,
                                     serverSelectionTimeoutMS=5000, appname=f"daiban-{service}")
        return client[name]
    return _SerializedDatabase(mongomock.MongoClient(tz_aware=True)[name])


def ensure_indexes(db: Database, indexes: IndexSpec) -> None:
    for collection, models in indexes.items():
        models = list(models)
        if models and is_in_memory(db):
            # mongomock's create_indexes drops partialFilterExpression; its create_index keeps it
            existing = db[collection].index_information()
            for model in models:
                options = dict(model.document)
                key = list(options.pop("key").items())
                if _same_index(existing.get(options["name"]), key, options):
                    # MongoDB does nothing for an index already there; mongomock would check the stored
                    # documents for uniqueness again, ignoring partialFilterExpression (a restart fails)
                    continue
                db[collection].create_index(key, **options)
        elif models:
            db[collection].create_indexes(models)


def _same_index(current: dict | None, key: list, options: dict) -> bool:
    if current is None:
        return False
    wanted = {"key": key, **{name: value for name, value in options.items() if name != "name"}}
    return {name: value for name, value in current.items() if name != "v"} == wanted


def ping(db: Database) -> None:
    """Raises when the store cannot answer (used by /readyz)."""
    db.command("ping")


def is_in_memory(db: Any) -> bool:
    return isinstance(db, _SerializedDatabase)


class _SerializedCursor:
    """A mongomock cursor materialised under the client lock when first iterated."""

    _CHAINED = {"sort", "skip", "limit", "batch_size", "max_time_ms", "hint", "collation"}

    def __init__(self, cursor, lock):
        self._cursor, self._lock = cursor, lock

    def __getattr__(self, name):
        attr = getattr(self._cursor, name)
        if name in self._CHAINED:
            def chained(*args, **kwargs):
                attr(*args, **kwargs)
                return self
            return chained
        return attr

    def __iter__(self):
        with self._lock:
            documents = list(self._cursor)
        return iter(documents)


class _SerializedCollection:
    def __init__(self, collection, lock):
        self._collection, self._lock = collection, lock

    def __getattr__(self, name):
        attr = getattr(self._collection, name)
        if not callable(attr):
            return attr

        def locked(*args, **kwargs):
            with self._lock:
                result = attr(*args, **kwargs)
            if name == "find":
                return _SerializedCursor(result, self._lock)
            if name == "aggregate":
                with self._lock:
                    return iter(list(result))
            return result
        return locked


class _SerializedDatabase:
    def __init__(self, database):
        self._database = database
        self._lock = threading.RLock()

    @property
    def unwrapped(self):
        return self._database

    @property
    def lock(self):
        """Held around every operation; take it when using ``unwrapped`` directly (e.g. GridFS)."""
        return self._lock

    def __getitem__(self, name: str) -> _SerializedCollection:
        return _SerializedCollection(self._database[name], self._lock)

    def get_collection(self, name: str) -> _SerializedCollection:
        return self[name]

    def __getattr__(self, name):
        return getattr(self._database, name)

    def command(self, command, *args, **kwargs):
        if command == "ping":
            return {"ok": 1.0}
        return self._database.command(command, *args, **kwargs)
