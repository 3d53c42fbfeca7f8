"""The tracking code (查询码) a petitioner without an account follows their petition with.

Eight characters from an alphabet without look-alikes (no 0/O, 1/I/L). Stored twice: as a keyed
hash to check a look-up, and encrypted so the entering agent can read it out again; never in clear.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 8


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise(code: str) -> str:
    return code.strip().upper().replace("-", "").replace(" ", "")


def code_hash(secret: str, number: str, code: str) -> str:
    return hmac.new(secret.encode(), f"tracking:{number}:{normalise(code)}".encode(), hashlib.sha256).hexdigest()


def matches(secret: str, number: str, code: str, stored_hash: str) -> bool:
    return hmac.compare_digest(code_hash(secret, number, code), stored_hash)
