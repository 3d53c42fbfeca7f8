"""Attachments in GridFS, in intake's own database: the bucket ``attachments`` (collections
``attachments.files`` and ``attachments.chunks``, the shape the GridFS spec gives them).

Each file document keeps, under ``metadata``: the petition, the kind and sniffed media type, the
size, the SHA-256, who uploaded it (role and id: the pseudonymous ``subject_ref`` for a petitioner,
as the petition keeps them, the staff subject otherwise; never a name), when, the sanitised
original file name (personal data perhaps: stored, never logged) and the Idempotency-Key.
The GridFS ``filename`` is ``<attachment id>.<extension>``, not the client's name.

On the in-memory store (mongomock) pymongo's own ``gridfs.GridFS`` is used over the raw mongomock
database, after ``mongomock.gridfs.enable_gridfs_integration()``; every GridFS call takes the lock
the store wrapper takes for every other operation on that database. (``gridfs.GridFSBucket`` does
not work on mongomock: pymongo's timeout wrapper trips over it; the legacy ``GridFS`` class does.)
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from datetime import datetime
from typing import IO, Iterator

import gridfs
import mongomock.gridfs
from gridfs.errors import FileExists
from pymongo import ASCENDING, IndexModel
from pymongo.errors import DuplicateKeyError

from shared import store as shared_store
from shared.http.pagination import paginate

BUCKET = "attachments"
FILES = f"{BUCKET}.files"
CHUNKS = f"{BUCKET}.chunks"
CHUNK_SIZE = 255 * 1024  # GridFS's default

INDEXES = {
    FILES: [
        IndexModel([("metadata.petition_id", ASCENDING), ("metadata.uploaded_at", ASCENDING)]),
        IndexModel([("metadata.uploaded_by.role", ASCENDING), ("metadata.uploaded_by.id", ASCENDING),
                    ("metadata.idempotency_key", ASCENDING)], unique=True,
                   partialFilterExpression={"metadata.idempotency_key": {"$type": "string"}}),
        # the two GridFS creates itself on its first write; declared so both stores have them from the start
        IndexModel([("filename", ASCENDING), ("uploadDate", ASCENDING)]),
    ],
    CHUNKS: [IndexModel([("files_id", ASCENDING), ("n", ASCENDING)], unique=True)],
}


class DuplicateIdempotencyKey(Exception):
    """Another upload with the same uploader and Idempotency-Key was stored first."""


_integration = threading.Lock()
_integration_enabled = False


def _enable_mongomock_gridfs() -> None:
    """Let pymongo's gridfs accept mongomock's Database and Collection (a process-wide patch of
    gridfs's isinstance checks; harmless for pymongo's own classes)."""
    global _integration_enabled
    with _integration:
        if not _integration_enabled:
            mongomock.gridfs.enable_gridfs_integration()
            _integration_enabled = True


@contextmanager
def _bucket(db) -> Iterator[gridfs.GridFS]:
    if shared_store.is_in_memory(db):
        _enable_mongomock_gridfs()
        # GridFS writes the raw mongomock database, around the wrapper: take the wrapper's lock
        # (the one _SerializedDatabase takes for each of its operations) for the whole call
        with db.lock:
            yield gridfs.GridFS(db.unwrapped, collection=BUCKET)
    else:
        yield gridfs.GridFS(db, collection=BUCKET)


def find_by_idempotency_key(db, uploaded_by: dict, key: str) -> dict | None:
    doc = db[FILES].find_one({"metadata.uploaded_by.role": uploaded_by["role"],
                              "metadata.uploaded_by.id": uploaded_by["id"], "metadata.idempotency_key": key})
    return _record(doc) if doc else None


def put(db, content: IO[bytes], *, attachment_id: str, petition_id: str, kind: str, media_type: str,
        extension: str, size: int, sha256: str, uploaded_by: dict, uploaded_at: datetime,
        file_name: str | None, idempotency_key: str | None) -> dict:
    """Store one attachment (chunks first, then its file document, as GridFS does). When storing
    fails, nothing of it is left behind; a lost race on the Idempotency-Key raises
    ``DuplicateIdempotencyKey``."""
    metadata = {"petition_id": petition_id, "kind": kind, "media_type": media_type, "size": size,
                "sha256": sha256, "uploaded_by": dict(uploaded_by), "uploaded_at": uploaded_at,
                "file_name": file_name, "idempotency_key": idempotency_key}
    try:
        with _bucket(db) as fs:
            fs.put(content, _id=attachment_id, filename=f"{attachment_id}.{extension}",
                   chunkSize=CHUNK_SIZE, metadata=metadata)
    except (FileExists, DuplicateKeyError) as exc:
        _discard_orphan_chunks(db, attachment_id)
        if idempotency_key and find_by_idempotency_key(db, uploaded_by, idempotency_key) is not None:
            raise DuplicateIdempotencyKey() from exc
        raise
    except BaseException:
        _discard_orphan_chunks(db, attachment_id)
        raise
    return get(db, petition_id, attachment_id)


def _discard_orphan_chunks(db, attachment_id: str) -> None:
    """GridFS leaves the chunks it wrote when it cannot insert the file document."""
    if db[FILES].find_one({"_id": attachment_id}, {"_id": 1}) is None:
        db[CHUNKS].delete_many({"files_id": attachment_id})


def get(db, petition_id: str, attachment_id: str) -> dict | None:
    """One attachment's record, only under its own petition."""
    doc = db[FILES].find_one({"_id": attachment_id, "metadata.petition_id": petition_id})
    return _record(doc) if doc else None


def list_for_petition(db, petition_id: str, page_args: dict) -> dict:
    page = paginate(db[FILES], {"metadata.petition_id": petition_id}, page_args,
                    [("metadata.uploaded_at", ASCENDING), ("_id", ASCENDING)])
    return {**page, "items": [_record(doc) for doc in page["items"]]}


def content(db, attachment_id: str) -> Iterator[bytes]:
    """The attachment's bytes, chunk by chunk (read whole, under the lock, on the in-memory store)."""
    if shared_store.is_in_memory(db):
        with _bucket(db) as fs:
            data = fs.get(attachment_id).read()
        return iter((data,))
    with _bucket(db) as fs:
        grid_out = fs.get(attachment_id)

    def chunks() -> Iterator[bytes]:
        try:
            while chunk := grid_out.readchunk():
                yield chunk
        finally:
            grid_out.close()
    return chunks()


def _record(doc: dict) -> dict:
    meta = doc["metadata"]
    return {"id": doc["_id"], "petition_id": meta["petition_id"], "kind": meta["kind"],
            "media_type": meta["media_type"], "size": meta["size"], "sha256": meta["sha256"],
            "uploaded_by": meta["uploaded_by"], "uploaded_at": meta["uploaded_at"],
            "file_name": meta.get("file_name"), "idempotency_key": meta.get("idempotency_key")}
