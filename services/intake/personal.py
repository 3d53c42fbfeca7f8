"""A petitioner's personal data: validated, encrypted before it reaches a document, masked for
display, and reduced to a keyed reference when a stable identity is needed (duplicates, final matters).
Names, phones and ID numbers never go into events or logs."""
from __future__ import annotations

import hashlib
import hmac
import re

from shared.privacy import FieldCipher, mask_name, mask_phone

MOBILE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")
ID_NUMBER = re.compile(r"^\d{17}[\dX]$")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def normalise_phone(phone: str) -> str:
    return re.sub(r"[\s()]", "", phone).removeprefix("+86")


def is_phone(phone: str) -> bool:
    phone = normalise_phone(phone)
    return bool(MOBILE.match(phone) or LANDLINE.match(phone))


def is_id_number(value: str) -> bool:
    """Resident ID (GB 11643-1999): 18 characters with its check digit."""
    value = value.upper()
    if not ID_NUMBER.match(value):
        return False
    total = sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS))
    return _ID_CHECK[total % 11] == value[17]


def identity_ref(settings, contact: dict) -> str:
    """The same person gives the same reference: by ID number when known, else by phone. Keyed in its
    own namespace, so no account's subject id can ever produce it (``subject_ref`` keys ``subject:``)."""
    value = f"id:{contact['id_number'].upper()}" if contact.get("id_number") \
        else f"phone:{normalise_phone(contact['phone'])}"
    digest = hmac.new(settings.secret.encode(), f"identity:{value}".encode(), hashlib.sha256).hexdigest()
    return f"idr_{digest[:32]}"


def seal_person(cipher: FieldCipher, person: dict) -> dict:
    """Encrypted fields plus masks safe to show anyone who may see the petition."""
    sealed = {key: cipher.encrypt(value) for key, value in person.items() if value}
    sealed["masked"] = {"name": mask_name(person.get("name", "")),
                        "phone": mask_phone(normalise_phone(person["phone"])) if person.get("phone") else None}
    return sealed


def open_person(cipher: FieldCipher, sealed: dict | None) -> dict | None:
    if not sealed:
        return None
    return {key: cipher.decrypt(value) for key, value in sealed.items() if key != "masked"}
