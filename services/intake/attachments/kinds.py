"""What an attachment is, judged from its first bytes alone, and how large each kind may be.

The client's Content-Type and file name are never trusted: a text file sent as ``image/jpeg`` named
``photo.jpg`` is refused. The magic bytes are read by the ``filetype`` library, with one correction:
filetype looks for ``ftyp3gp`` at offset 0, where no real 3GP file has it (the ISO base media box
puts its size first), so 3GP is recognised here from the ``ftyp`` box's major brand.

Pure Python: no Flask, no pymongo.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import filetype

PHOTO, AUDIO, VIDEO = "photo", "audio", "video"
KINDS = (PHOTO, AUDIO, VIDEO)

SNIFF_BYTES = 8192  # as many as filetype ever looks at
ROUTE_ALLOWANCE = 64 * 1024  # room for the multipart envelope above the largest kind's limit
MAX_NAME_CHARS = 200


@dataclass(frozen=True)
class Sniffed:
    kind: str         # photo, audio or video
    media_type: str   # the Content-Type the attachment is served with
    extension: str    # the usual file extension of that type


# filetype's MIME type → what we accept it as; anything filetype knows but is not here is refused
_ACCEPTED: dict[str, Sniffed] = {
    "image/jpeg": Sniffed(PHOTO, "image/jpeg", "jpg"),
    "image/png": Sniffed(PHOTO, "image/png", "png"),
    "image/webp": Sniffed(PHOTO, "image/webp", "webp"),
    "image/heic": Sniffed(PHOTO, "image/heic", "heic"),
    "audio/mpeg": Sniffed(AUDIO, "audio/mpeg", "mp3"),
    "audio/mp4": Sniffed(AUDIO, "audio/mp4", "m4a"),
    "audio/aac": Sniffed(AUDIO, "audio/aac", "aac"),
    "audio/amr": Sniffed(AUDIO, "audio/amr", "amr"),
    "audio/x-wav": Sniffed(AUDIO, "audio/wav", "wav"),
    "audio/ogg": Sniffed(AUDIO, "audio/ogg", "ogg"),
    "video/mp4": Sniffed(VIDEO, "video/mp4", "mp4"),
    "video/quicktime": Sniffed(VIDEO, "video/quicktime", "mov"),
    "video/3gpp": Sniffed(VIDEO, "video/3gpp", "3gp"),
}
_THREE_GP = _ACCEPTED["video/3gpp"]

# extensions a download may keep for each type; any other gets the type's own appended
_EXTENSIONS = {
    "image/jpeg": {"jpg", "jpeg", "jpe"}, "image/heic": {"heic", "heif"}, "audio/mp4": {"m4a", "mp4"},
    "video/quicktime": {"mov", "qt"}, "video/3gpp": {"3gp", "3gpp"},
}

ACCEPTED_MEDIA_TYPES = tuple(sorted({s.media_type for s in _ACCEPTED.values()}))


def sniff(head: bytes) -> Sniffed | None:
    """The kind and type of a file from its first bytes (at least ``SNIFF_BYTES`` of them when the
    file is that long); ``None`` for anything not accepted."""
    if not isinstance(head, (bytes, bytearray)):
        # filetype takes a str for a path to open: never hand it one
        raise TypeError(f"sniff takes bytes, got {type(head).__name__}")
    head = bytes(head[:SNIFF_BYTES])
    brand = _iso_major_brand(head)
    if brand is not None and brand.startswith(b"3g") and not brand.startswith(b"3g2"):
        return _THREE_GP  # 3GPP (3gp4, 3gp5, 3gp6, 3ge6, 3gg6 ...): filetype calls these mp4 or nothing
    guessed = filetype.guess(head) if head else None
    return _ACCEPTED.get(guessed.mime) if guessed is not None else None


def _iso_major_brand(head: bytes) -> bytes | None:
    """The major brand of an ISO base media file (MP4, MOV, 3GP, HEIC, M4A), or None."""
    if len(head) >= 12 and head[4:8] == b"ftyp":
        return head[8:12]
    return None


def limit_for(kind: str, settings) -> int:
    """The largest attachment of that kind, in bytes (DAIBAN_MAX_{PHOTO,AUDIO,VIDEO}_BYTES)."""
    return {PHOTO: settings.max_photo_bytes, AUDIO: settings.max_audio_bytes,
            VIDEO: settings.max_video_bytes}[kind]


def largest_limit(settings) -> int:
    return max(limit_for(kind, settings) for kind in KINDS)


def route_limit(settings) -> int:
    """The largest request body the upload route reads: the largest kind's limit plus the envelope."""
    return largest_limit(settings) + ROUTE_ALLOWANCE


def describe_size(size: int) -> str:
    """1536 → '1.5 KiB'; 10485760 → '10 MiB' (for error details)."""
    for unit, factor in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= factor:
            value = size / factor
            return f"{value:.1f}".rstrip("0").rstrip(".") + f" {unit}"
    return f"{size} bytes"


def sanitise_file_name(raw: str | None) -> str | None:
    """The client's file name without any path, control or direction characters, not hidden, at
    most ``MAX_NAME_CHARS`` long (keeping its extension); ``None`` when nothing is left.

    Chinese and Mongolian names are kept as they are. The name may be personal data: it is stored
    and shown to those who may read the petition, never logged."""
    if not raw:
        return None
    name = unicodedata.normalize("NFC", raw).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")  # Cc, Cf (U+202E ...), Cs, Co, Cn
    name = name.strip().lstrip(".").strip()
    if len(name) > MAX_NAME_CHARS:
        stem, dot, extension = name.rpartition(".")
        if dot and stem and len(extension) <= 10:
            name = stem[:MAX_NAME_CHARS - len(extension) - 1] + "." + extension
        else:
            name = name[:MAX_NAME_CHARS]
    return name or None


def download_name(file_name: str | None, sniffed: Sniffed, fallback: str) -> str:
    """The name a download is saved under: the uploader's (sanitised) name when its extension fits
    the sniffed type, else that name with the type's extension appended; ``fallback`` when none."""
    name = sanitise_file_name(file_name) or fallback
    stem, dot, extension = name.rpartition(".")
    allowed = _EXTENSIONS.get(sniffed.media_type, {sniffed.extension})
    if dot and stem and extension.lower() in allowed:
        return name
    return f"{name}.{sniffed.extension}"


def by_media_type(media_type: str) -> Sniffed | None:
    """The accepted type a stored attachment was sniffed as (by its media type)."""
    return next((s for s in _ACCEPTED.values() if s.media_type == media_type), None)
