"""Attachments are judged by their first bytes: tiny but real headers of each accepted type are
recognised, everything else is refused, and each kind has its own size limit."""
from __future__ import annotations

import struct

import pytest

from services.intake.attachments import kinds
from shared import config

PADDING = b"\x00" * 64


def ftyp(major: bytes, *compatible: bytes) -> bytes:
    """An ISO base media ``ftyp`` box (MP4, MOV, 3GP, M4A, HEIC) followed by an empty ``mdat``."""
    body = major + b"\x00\x00\x02\x00" + b"".join(compatible)
    return struct.pack(">I", 8 + len(body)) + b"ftyp" + body + struct.pack(">I", 8) + b"mdat"


def riff(form: bytes, chunk: bytes) -> bytes:
    return b"RIFF" + struct.pack("<I", 4 + len(chunk)) + form + chunk


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + PADDING + b"\xff\xd9"
PNG = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0) + PADDING
WEBP = riff(b"WEBP", b"VP8 " + struct.pack("<I", 10) + PADDING)
HEIC = ftyp(b"heic", b"mif1", b"heic") + PADDING
MP3_ID3 = b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x64" + PADDING
MP3_FRAME = b"\xff\xfb\x90\x64" + PADDING
M4A = ftyp(b"M4A ", b"M4A ", b"mp42", b"isom") + PADDING
AAC = b"\xff\xf1\x50\x80\x02\x1f\xfc" + PADDING
AMR = b"#!AMR\n" + b"\x3c" + PADDING
WAV = riff(b"WAVE", b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, 8000, 16000, 2, 16) + b"data\x00\x00\x00\x00")
OGG = b"OggS\x00\x02" + b"\x00" * 20 + b"\x01\x1e\x01vorbis" + PADDING
MP4 = ftyp(b"isom", b"isom", b"iso2", b"avc1", b"mp41") + PADDING
MOV = ftyp(b"qt  ", b"qt  ") + PADDING
THREE_GP_WITH_ISOM = ftyp(b"3gp4", b"isom", b"3gp4") + PADDING  # filetype alone calls this video/mp4
THREE_GP = ftyp(b"3gp5", b"3gp5") + PADDING                      # filetype alone does not know it

ACCEPTED = [
    ("jpeg", JPEG, "photo", "image/jpeg"),
    ("png", PNG, "photo", "image/png"),
    ("webp", WEBP, "photo", "image/webp"),
    ("heic", HEIC, "photo", "image/heic"),
    ("mp3 with ID3 tag", MP3_ID3, "audio", "audio/mpeg"),
    ("mp3 frame", MP3_FRAME, "audio", "audio/mpeg"),
    ("m4a", M4A, "audio", "audio/mp4"),
    ("aac (ADTS)", AAC, "audio", "audio/aac"),
    ("amr", AMR, "audio", "audio/amr"),
    ("wav", WAV, "audio", "audio/wav"),
    ("ogg", OGG, "audio", "audio/ogg"),
    ("mp4", MP4, "video", "video/mp4"),
    ("mov", MOV, "video", "video/quicktime"),
    ("3gp with isom", THREE_GP_WITH_ISOM, "video", "video/3gpp"),
    ("3gp", THREE_GP, "video", "video/3gpp"),
]

REFUSED = [
    ("pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n" + PADDING),
    ("text", "村口的路灯坏了三个月。This is plain text, not a photo.".encode()),
    ("html", b"<!DOCTYPE html><html><script>alert(1)</script></html>"),
    ("windows executable", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + PADDING),
    ("elf executable", b"\x7fELF\x02\x01\x01\x00" + PADDING),
    ("zip", b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + PADDING),
    ("gif (an image, but not a kind we take)", b"GIF89a\x01\x00\x01\x00\x80\x00\x00" + PADDING),
    ("avif", ftyp(b"avif", b"avif", b"mif1") + PADDING),
    ("3g2", ftyp(b"3g2a", b"3g2a") + PADDING),
    ("flac", b"fLaC\x00\x00\x00\x22" + PADDING),
    ("JPEG magic too late", b"x" + JPEG),
    ("one byte", b"\xff"),
    ("empty", b""),
]


@pytest.mark.parametrize(("label", "content", "kind", "media_type"), ACCEPTED, ids=[a[0] for a in ACCEPTED])
def test_accepted_types_are_recognised_from_their_bytes(label, content, kind, media_type):
    sniffed = kinds.sniff(content)

    assert sniffed is not None, label
    assert (sniffed.kind, sniffed.media_type) == (kind, media_type)


@pytest.mark.parametrize(("label", "content"), REFUSED, ids=[r[0] for r in REFUSED])
def test_everything_else_is_refused(label, content):
    assert kinds.sniff(content) is None, label


def test_only_the_first_bytes_are_read_and_trailing_data_does_not_matter():
    assert kinds.sniff(PNG + b"%PDF-1.7" + b"\x00" * 20_000).media_type == "image/png"
    assert kinds.sniff(bytearray(JPEG)).media_type == "image/jpeg"


def test_a_string_is_refused_rather_than_opened_as_a_path():
    # filetype.guess("...") would open a file of that name
    with pytest.raises(TypeError):
        kinds.sniff("/etc/passwd")


def test_every_accepted_media_type_has_a_kind_and_an_extension():
    assert set(kinds.ACCEPTED_MEDIA_TYPES) == {media_type for *_, media_type in ACCEPTED}
    for media_type in kinds.ACCEPTED_MEDIA_TYPES:
        sniffed = kinds.by_media_type(media_type)
        assert sniffed.kind in kinds.KINDS and sniffed.extension
    assert kinds.by_media_type("application/pdf") is None


def test_each_kind_has_its_own_limit_from_the_settings():
    settings = config.load({"DAIBAN_MAX_PHOTO_BYTES": "2048", "DAIBAN_MAX_AUDIO_BYTES": "4096",
                            "DAIBAN_MAX_VIDEO_BYTES": "8192"})

    assert [kinds.limit_for(kind, settings) for kind in ("photo", "audio", "video")] == [2048, 4096, 8192]
    assert kinds.largest_limit(settings) == 8192
    assert kinds.route_limit(settings) == 8192 + 64 * 1024


def test_the_default_limits():
    settings = config.load({})

    assert kinds.limit_for("photo", settings) == 10 * 1024 * 1024
    assert kinds.limit_for("audio", settings) == 20 * 1024 * 1024
    assert kinds.limit_for("video", settings) == 50 * 1024 * 1024
    assert kinds.route_limit(settings) == 50 * 1024 * 1024 + 64 * 1024


def test_the_largest_limit_is_whichever_kind_is_largest():
    settings = config.load({"DAIBAN_MAX_PHOTO_BYTES": "99999", "DAIBAN_MAX_AUDIO_BYTES": "4096",
                            "DAIBAN_MAX_VIDEO_BYTES": "8192"})

    assert kinds.largest_limit(settings) == 99999


@pytest.mark.parametrize(("size", "text"), [(500, "500 bytes"), (1024, "1 KiB"), (1536, "1.5 KiB"),
                                            (10 * 1024 * 1024, "10 MiB"), (52428800, "50 MiB")])
def test_sizes_are_described_for_people(size, text):
    assert kinds.describe_size(size) == text


@pytest.mark.parametrize(("raw", "clean"), [
    ("证据照片.jpg", "证据照片.jpg"),
    ("../../etc/passwd", "passwd"),
    ("C:\\Users\\张三\\Desktop\\现场.jpg", "现场.jpg"),
    ("/tmp/a b.png", "a b.png"),
    ("a\x00b\r\n.jpg", "ab.jpg"),
    ("photo\u202egpj.exe", "photogpj.exe"),   # right-to-left override removed
    (".htaccess", "htaccess"),
    ("..", None),
    ("  ", None),
    ("", None),
    (None, None),
])
def test_file_names_lose_their_path_and_control_characters(raw, clean):
    assert kinds.sanitise_file_name(raw) == clean


def test_a_long_file_name_is_cut_but_keeps_its_extension():
    clean = kinds.sanitise_file_name("很" * 500 + ".jpeg")

    assert len(clean) == kinds.MAX_NAME_CHARS
    assert clean.endswith("很.jpeg")


@pytest.mark.parametrize(("name", "content", "saved_as"), [
    ("现场.JPG", JPEG, "现场.JPG"),
    ("现场.jpeg", JPEG, "现场.jpeg"),
    ("现场.txt", JPEG, "现场.txt.jpg"),       # the extension never disagrees with the type served
    ("录音.exe", MP3_ID3, "录音.exe.mp3"),
    ("noext", MP4, "noext.mp4"),
    (None, PNG, "att-1.png"),
    ("../", WAV, "att-1.wav"),
])
def test_a_download_keeps_the_name_only_with_an_extension_that_fits_its_type(name, content, saved_as):
    assert kinds.download_name(name, kinds.sniff(content), fallback="att-1") == saved_as
