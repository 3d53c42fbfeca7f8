"""The ``Idempotency-Key`` header of creating POSTs, read and checked in one place.

What a key protects is the service's own business (each stores the key and a fingerprint of the
request with what it created, in the same single-document write); this only reads the header and
answers the one refusal every service shares."""
from __future__ import annotations

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


def reused() -> Problem:
    """The same key with another request: refused, never a second creation."""
    return Problem(422, "idempotency-key-reused", f"this {HEADER} was used with a different request body",
                   errors=[field_error(HEADER, "already used with another body")])
