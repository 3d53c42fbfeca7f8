"""The ``Idempotency-Key`` header of creating POSTs, read and checked in one place.

What a key protects is the service's own business (each stores the key and a fingerprint of the
request with what it created, in the same single-document write); this only reads the header and
answers the one refusal every service shares."""
from __future__ import annotations

import hashlib
import json

from flask import request

from .problems import Problem, field_error

HEADER = "Idempotency-Key"
MAX_LENGTH = 128


def idempotency_key() -> str | None:
    key = request.headers.get(HEADER)
    if key is not None and not (1 <= len(key) <= MAX_LENGTH):
        raise Problem(400, "invalid-idempotency-key", f"{HEADER} must be 1 to {MAX_LENGTH} characters",
                      errors=[field_error(HEADER, f"1 to {MAX_LENGTH} characters")])
    return key


def fingerprint(body: dict) -> str:
    """Same request body, same fingerprint (stored with what a key created, compared on a replay)."""
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def scoped(role: str, sub: str, key: str) -> str:
    """A key as stored: the caller's own, so two callers may use the same key."""
    return f"{role}:{sub}:{key}"


def doc(what: str) -> dict:
    """The OpenAPI description of the header, for ``@blp.doc(**doc("agent"))``."""
    return {"parameters": [{
        "in": "header", "name": HEADER, "required": False, "schema": {"type": "string", "maxLength": MAX_LENGTH},
        "description": f"the caller's key: the same key and body answer the same {what} again (201, "
                       "`Idempotent-Replayed: true`) without creating another; the same key with another body "
                       "is refused (422 idempotency-key-reused)"}]}


def reused() -> Problem:
    """The same key with another request: refused, never a second creation."""
    return Problem(422, "idempotency-key-reused", f"this {HEADER} was used with a different request body",
                   errors=[field_error(HEADER, "already used with another body")])
