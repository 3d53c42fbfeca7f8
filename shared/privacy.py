"""Personal data: pseudonymous references for the bus, encryption at rest for the stores.

Events carry ``subject_ref(sub)``, a keyed hash of the caller's subject id: services can match a
caller to their own records without any service, log or report seeing who the person is.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from .config import Settings


def subject_ref(settings: Settings, sub: str) -> str:
    digest = hmac.new(settings.secret.encode(), f"subject:{sub}".encode(), hashlib.sha256).hexdigest()
    return f"ref_{digest[:32]}"


def _derived_key(secret: str) -> bytes:
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"daiban-data-key",
               info=b"personal-data").derive(secret.encode())
    return base64.urlsafe_b64encode(raw)


@lru_cache(maxsize=8)
def _fernet(secret: str, data_key: str | None) -> Fernet:
    # built once per key: every request that seals or opens personal data would otherwise derive it anew
    return Fernet(data_key.encode() if data_key else _derived_key(secret))


class FieldCipher:
    """Encrypts personal fields (names, phones, ID numbers) before they reach a document."""

    def __init__(self, settings: Settings):
        self._fernet = _fernet(settings.secret, settings.data_key)

    def encrypt(self, value: str | None) -> str | None:
        return None if value is None else self._fernet.encrypt(value.encode()).decode()

    def decrypt(self, token: str | None) -> str | None:
        if token is None:
            return None
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise ValueError("personal data cannot be decrypted with this key") from exc


def mask_phone(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 7 else "****"


def mask_name(name: str) -> str:
    return name[:1] + "*" * max(1, len(name) - 1) if name else ""
