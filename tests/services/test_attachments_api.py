"""Attachments through HTTP: the petitioner, the agent holding the petition and handling staff in
scope upload, list and download photos, audio and video; the type comes from the content; each kind
has its limit; every refusal is problem+json and leaves nothing stored (GridFS files and chunks are
counted, with every other collection, before and after)."""
from __future__ import annotations

import hashlib
import io
import logging
from contextlib import contextmanager
from dataclasses import replace
from urllib.parse import quote

import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from services.intake import app as intake_app
from services.intake.attachments import api as attachments_api
from services.intake.attachments import store as attachments_store
from shared.privacy import subject_ref
from shared.runtime import ServiceRuntime
from tests.support.services import auth, make_settings
from tests.unit.test_attachment_kinds import JPEG, M4A, MOV, MP3_ID3, MP4, PADDING, PNG, WAV

from .helpers import Service, fields_of, petition_body, problem_of, VILLAGE

URL = "/api/v1/petitions"
OWNER = "wx-owner"
AGENT = "agt-7"
PHOTO_LIMIT, AUDIO_LIMIT, VIDEO_LIMIT, JSON_LIMIT = 2048, 4096, 8192, 2048
ROUTE_LIMIT = VIDEO_LIMIT + 64 * 1024

# intake's blueprints plus the attachments blueprint, with the GridFS indexes (the wiring app.py gets)
SPEC = replace(intake_app.SPEC,
               blueprints=tuple(b for b in intake_app.SPEC.blueprints if b is not attachments_api.blp)
               + (attachments_api.blp,),
               indexes={**intake_app.SPEC.indexes, **attachments_store.INDEXES})


def limits(**extra) -> dict:
    return {"DAIBAN_MAX_PHOTO_BYTES": str(PHOTO_LIMIT), "DAIBAN_MAX_AUDIO_BYTES": str(AUDIO_LIMIT),
            "DAIBAN_MAX_VIDEO_BYTES": str(VIDEO_LIMIT), "DAIBAN_MAX_BODY_BYTES": str(JSON_LIMIT), **extra}


@pytest.fixture
def build():
    runtimes: list[ServiceRuntime] = []

    def make(**env) -> Service:
        runtime = ServiceRuntime(SPEC, make_settings(**limits(**env)))
        runtimes.append(runtime)
        return Service(runtime)

    yield make
    for runtime in runtimes:
        runtime.stop()


@pytest.fixture
def service(build) -> Service:
    return build()


def headers_of(service, role: str, sub: str, division: str = VILLAGE, **extra) -> dict:
    return {**auth(service.settings, role, sub, division), **extra}


def owner(service, **extra) -> dict:
    return headers_of(service, "petitioner", OWNER, **extra)


def submit(service, sub: str = OWNER) -> str:
    response = service.client.post(URL, json=petition_body(), headers=headers_of(service, "petitioner", sub))
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()["id"]


def upload(service, petition_id: str, content: bytes, headers: dict, name: str = "证据.jpg",
           content_type: str = "image/jpeg"):
    return service.client.post(f"{URL}/{petition_id}/attachments", headers=headers,
                               content_type="multipart/form-data",
                               data={"file": (io.BytesIO(content), name, content_type)})


def listing(service, petition_id: str, headers: dict):
    return service.client.get(f"{URL}/{petition_id}/attachments", headers=headers)


def download(service, petition_id: str, attachment_id: str, headers: dict):
    return service.client.get(f"{URL}/{petition_id}/attachments/{attachment_id}", headers=headers)


def gridfs_counts(service) -> tuple[int, int]:
    return (service.db[attachments_store.FILES].count_documents({}),
            service.db[attachments_store.CHUNKS].count_documents({}))


@contextmanager
def nothing_stored(service):
    before = service.stored()
    files_before = gridfs_counts(service)
    yield
    assert gridfs_counts(service) == files_before
    assert service.stored() == before


def set_petition(service, petition_id: str, **fields) -> None:
    assert service.db["petitions"].update_one({"_id": petition_id}, {"$set": fields}).matched_count == 1


def hold(service, petition_id: str, agent: str = AGENT) -> None:
    set_petition(service, petition_id, status="assigned",
                 assigned_agent={"id": agent, "name": "测试代办员", "division": VILLAGE})


def photo(size: int) -> bytes:
    return PNG + b"\x00" * (size - len(PNG))


def video(size: int) -> bytes:
    return MP4 + b"\x00" * (size - len(MP4))


def audio(size: int) -> bytes:
    return MP3_ID3 + b"\x00" * (size - len(MP3_ID3))


# --- upload, list, download -----------------------------------------------------------------------

def test_the_petitioner_uploads_a_photo_and_downloads_the_same_bytes(service):
    petition_id = submit(service)
    content = photo(1500)

    created = upload(service, petition_id, content, owner(service), name="现场.bin",
                     content_type="application/octet-stream")

    assert created.status_code == 201, created.get_data(as_text=True)
    body = created.get_json()
    assert body["kind"] == "photo" and body["media_type"] == "image/png"  # from the bytes, not the part
    assert body["size"] == len(content)
    assert body["sha256"] == hashlib.sha256(content).hexdigest()
    assert body["uploaded_at"].endswith("+08:00")
    assert body["uploaded_by_role"] == "petitioner" and body["petition_id"] == petition_id
    assert body["id"].startswith("att-")
    assert created.headers["Location"] == f"{URL}/{petition_id}/attachments/{body['id']}"
    assert gridfs_counts(service) == (1, 1)

    got = download(service, petition_id, body["id"], owner(service))

    assert got.status_code == 200
    assert got.data == content
    assert hashlib.sha256(got.data).hexdigest() == body["sha256"]
    assert got.headers["Content-Type"] == "image/png"
    assert got.headers["Content-Length"] == str(len(content))
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    assert got.headers["ETag"] == f'"{body["sha256"]}"'
    disposition = got.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f'filename="{body["id"]}.png"' in disposition
    assert "filename*=UTF-8''" + quote("现场.bin.png") in disposition  # the name never contradicts the type


def test_a_download_answers_304_to_its_etag(service):
    petition_id = submit(service)
    created = upload(service, petition_id, photo(600), owner(service)).get_json()

    again = download(service, petition_id, created["id"], owner(service, **{"If-None-Match": f'"{created["sha256"]}"'}))

    assert again.status_code == 304
    assert again.data == b""


def test_the_list_holds_the_petitions_attachments_oldest_first_a_page_at_a_time(service):
    petition_id = submit(service)
    ids = [upload(service, petition_id, content, owner(service)).get_json()["id"]
           for content in (photo(700), audio(900), video(1100))]

    page = listing(service, petition_id, owner(service))

    assert page.status_code == 200
    body = page.get_json()
    assert [item["id"] for item in body["items"]] == ids
    assert [item["kind"] for item in body["items"]] == ["photo", "audio", "video"]
    assert body["total"] == 3 and body["page"] == 1
    assert all(item["file_name"] == "证据.jpg" for item in body["items"])
    second = service.client.get(f"{URL}/{petition_id}/attachments?per_page=2&page=2", headers=owner(service))
    assert [item["id"] for item in second.get_json()["items"]] == ids[2:]


@pytest.mark.parametrize(("content", "kind", "media_type"), [
    (JPEG, "photo", "image/jpeg"), (PNG, "photo", "image/png"), (MP3_ID3, "audio", "audio/mpeg"),
    (M4A, "audio", "audio/mp4"), (WAV, "audio", "audio/wav"), (MP4, "video", "video/mp4"),
    (MOV, "video", "video/quicktime"),
], ids=["jpeg", "png", "mp3", "m4a", "wav", "mp4", "mov"])
def test_each_kind_is_stored_and_served_as_sniffed(service, content, kind, media_type):
    petition_id = submit(service)

    created = upload(service, petition_id, content, owner(service), name="file", content_type="text/plain")

    assert created.status_code == 201, created.get_data(as_text=True)
    assert (created.get_json()["kind"], created.get_json()["media_type"]) == (kind, media_type)
    got = download(service, petition_id, created.get_json()["id"], owner(service))
    assert got.headers["Content-Type"] == media_type and got.data == content


def test_a_file_of_several_gridfs_chunks_comes_back_whole(build):
    service = build(DAIBAN_MAX_VIDEO_BYTES=str(1024 * 1024))
    petition_id = submit(service)
    content = MP4 + bytes(range(256)) * 2600  # ~650 KiB: three 255 KiB chunks, spooled to disk by werkzeug
    # encoded here, in memory: the test client spools a body over 500 KB to a temporary file it never
    # closes (werkzeug 3.1 stream_encode_multipart), which pytest reports as an unraisable ResourceWarning
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(content), "录像.mp4", content_type="video/mp4")})

    created = service.client.post(f"{URL}/{petition_id}/attachments", headers=owner(service), data=body,
                                  content_type=f'multipart/form-data; boundary="{boundary}"')

    assert created.status_code == 201, created.get_data(as_text=True)
    assert created.get_json()["sha256"] == hashlib.sha256(content).hexdigest()
    assert gridfs_counts(service) == (1, 3)
    got = download(service, petition_id, created.get_json()["id"], owner(service))
    assert got.data == content


def test_what_is_stored_names_nobody(service):
    petition_id = submit(service)
    created = upload(service, petition_id, photo(500), owner(service)).get_json()

    document = service.db[attachments_store.FILES].find_one({"_id": created["id"]})

    assert document["length"] == 500
    assert document["filename"] == f"{created['id']}.png"  # the client's name is kept in metadata only
    assert document["metadata"]["uploaded_by"] == {"role": "petitioner", "id": subject_ref(service.settings, OWNER)}
    assert document["metadata"]["sha256"] == created["sha256"]
    assert document["metadata"]["file_name"] == "证据.jpg"
    assert OWNER not in repr(document)


def test_the_file_name_is_never_logged(service, caplog):
    caplog.set_level(logging.DEBUG)
    petition_id = submit(service)
    sentinel = "巴特尔身份证152525199001011234"

    assert upload(service, petition_id, photo(500), owner(service), name=f"{sentinel}.png").status_code == 201
    assert upload(service, petition_id, b"%PDF-1.7" + PADDING, owner(service), name=f"{sentinel}.pdf").status_code == 415

    for record in caplog.records:
        assert sentinel not in record.getMessage()
        assert sentinel not in repr(record.__dict__)


# --- who ------------------------------------------------------------------------------------------

def test_the_holding_agent_adds_evidence_and_the_petitioner_sees_it(service):
    petition_id = submit(service)
    hold(service, petition_id)
    agent = headers_of(service, "agent", AGENT)

    evidence = upload(service, petition_id, audio(3000), agent, name="走访录音.mp3", content_type="audio/mpeg")

    assert evidence.status_code == 201, evidence.get_data(as_text=True)
    assert evidence.get_json()["uploaded_by_role"] == "agent"
    document = service.db[attachments_store.FILES].find_one({"_id": evidence.get_json()["id"]})
    assert document["metadata"]["uploaded_by"] == {"role": "agent", "id": AGENT}
    items = listing(service, petition_id, owner(service)).get_json()["items"]
    assert [item["id"] for item in items] == [evidence.get_json()["id"]]
    assert download(service, petition_id, items[0]["id"], owner(service)).data == audio(3000)
    assert listing(service, petition_id, agent).status_code == 200


def test_the_agent_who_entered_the_petition_for_the_petitioner_may_add_to_it(service):
    petition_id = submit(service)
    set_petition(service, petition_id, entered_by="agt-entered")

    created = upload(service, petition_id, photo(500), headers_of(service, "agent", "agt-entered"))

    assert created.status_code == 201


@pytest.mark.parametrize(("role", "division"), [
    ("coordinator", "152525100"), ("coordinator", "152525"), ("mediator", "152525100"), ("admin", "152500"),
])
def test_handling_staff_in_scope_upload_list_and_download(service, role, division):
    petition_id = submit(service)
    own = upload(service, petition_id, photo(500), owner(service)).get_json()
    staff = headers_of(service, role, "staff-1", division)

    created = upload(service, petition_id, video(1000), staff)

    assert created.status_code == 201
    assert created.get_json()["uploaded_by_role"] == role
    assert listing(service, petition_id, staff).get_json()["total"] == 2
    assert download(service, petition_id, own["id"], staff).data == photo(500)


@pytest.mark.parametrize(("role", "sub", "division"), [
    ("petitioner", "wx-stranger", VILLAGE),
    ("agent", AGENT, VILLAGE),                   # the village's agent, but not holding this petition
    ("agent", "agt-other", "152525100902"),
    ("coordinator", "staff-1", "152525101"),     # the neighbouring township
    ("coordinator", "staff-1", "152531"),        # another banner
    ("mediator", "staff-1", "152531"),
    ("admin", "staff-1", "152200"),              # another league
])
def test_everyone_else_is_told_the_petition_does_not_exist(service, role, sub, division):
    petition_id = submit(service)
    own = upload(service, petition_id, photo(500), owner(service)).get_json()
    stranger = headers_of(service, role, sub, division)

    with nothing_stored(service):
        refused = upload(service, petition_id, photo(600), stranger)
    problem = problem_of(refused, 404, "not-found")
    assert fields_of(problem) == {"petition_id"}
    problem_of(listing(service, petition_id, stranger), 404, "not-found")
    problem_of(download(service, petition_id, own["id"], stranger), 404, "not-found")
    # exactly the answer for a petition that does not exist
    assert problem["errors"] == problem_of(listing(service, "pet-nope", stranger), 404, "not-found")["errors"]


def test_a_former_agent_loses_access_when_the_petition_moves_on(service):
    petition_id = submit(service)
    hold(service, petition_id)
    evidence = upload(service, petition_id, photo(500), headers_of(service, "agent", AGENT)).get_json()
    hold(service, petition_id, agent="agt-successor")

    problem_of(download(service, petition_id, evidence["id"], headers_of(service, "agent", AGENT)), 404, "not-found")
    assert download(service, petition_id, evidence["id"], headers_of(service, "agent", "agt-successor")).status_code == 200


@pytest.mark.parametrize("role", ["department", "reporter"])
def test_roles_that_never_handle_petitions_are_refused(service, role):
    petition_id = submit(service)

    with nothing_stored(service):
        problem_of(upload(service, petition_id, photo(500), headers_of(service, role, "x", "152525")), 403, "forbidden")
    problem_of(listing(service, petition_id, headers_of(service, role, "x", "152525")), 403, "forbidden")


def test_without_a_token_nothing_is_read_or_stored(service):
    petition_id = submit(service)

    with nothing_stored(service):
        problem_of(upload(service, petition_id, photo(500), {}), 401, "unauthenticated")
    problem_of(listing(service, petition_id, {}), 401, "unauthenticated")


# --- missing things -------------------------------------------------------------------------------

def test_a_missing_petition_is_404_everywhere(service):
    with nothing_stored(service):
        problem_of(upload(service, "pet-missing", photo(500), owner(service)), 404, "not-found")
    problem_of(listing(service, "pet-missing", owner(service)), 404, "not-found")
    problem_of(download(service, "pet-missing", "att-x", owner(service)), 404, "not-found")


def test_an_attachment_is_found_only_under_its_own_petition(service):
    mine = submit(service)
    theirs = submit(service, sub="wx-neighbour")
    their_photo = upload(service, theirs, photo(500), headers_of(service, "petitioner", "wx-neighbour")).get_json()

    problem = problem_of(download(service, mine, their_photo["id"], owner(service)), 404, "not-found")
    assert fields_of(problem) == {"attachment_id"}
    problem_of(download(service, mine, "att-unknown", owner(service)), 404, "not-found")
    assert listing(service, mine, owner(service)).get_json()["total"] == 0


# --- refusals, each leaving nothing behind --------------------------------------------------------

def test_no_file_part_is_refused(service):
    petition_id = submit(service)

    with nothing_stored(service):
        response = service.client.post(f"{URL}/{petition_id}/attachments", headers=owner(service),
                                       content_type="multipart/form-data", data={"note": "照片"})
    problem = problem_of(response, 422, "validation-failed")
    assert fields_of(problem) == {"file"}


def test_a_file_sent_under_another_name_is_refused(service):
    petition_id = submit(service)

    with nothing_stored(service):
        response = service.client.post(f"{URL}/{petition_id}/attachments", headers=owner(service),
                                       content_type="multipart/form-data",
                                       data={"photo": (io.BytesIO(photo(500)), "a.png", "image/png")})
    assert fields_of(problem_of(response, 422, "validation-failed")) == {"file"}


def test_two_file_parts_are_refused(service):
    petition_id = submit(service)

    with nothing_stored(service):
        response = service.client.post(f"{URL}/{petition_id}/attachments", headers=owner(service),
                                       content_type="multipart/form-data",
                                       data={"file": [(io.BytesIO(photo(500)), "a.png"), (io.BytesIO(photo(600)), "b.png")]})
    assert fields_of(problem_of(response, 422, "validation-failed")) == {"file"}


def test_an_empty_file_is_refused(service):
    petition_id = submit(service)

    with nothing_stored(service):
        response = upload(service, petition_id, b"", owner(service))
    assert fields_of(problem_of(response, 422, "empty-attachment")) == {"file"}


@pytest.mark.parametrize(("content", "name", "content_type"), [
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + PADDING, "材料.pdf", "application/pdf"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + PADDING, "photo.jpg", "image/jpeg"),
    (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + PADDING, "setup.exe", "application/x-msdownload"),
    (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + PADDING, "video.mp4", "video/mp4"),
    ("这不是照片，只是一段文字。".encode(), "photo.jpg", "image/jpeg"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "a.png", "image/png"),
    (b"GIF89a\x01\x00\x01\x00\x80\x00\x00" + PADDING, "a.gif", "image/gif"),
], ids=["pdf", "pdf-claiming-jpeg", "exe", "exe-claiming-mp4", "text-claiming-jpeg", "svg-claiming-png", "gif"])
def test_content_of_an_unsupported_type_is_refused_whatever_it_claims(service, content, name, content_type):
    petition_id = submit(service)

    with nothing_stored(service):
        response = upload(service, petition_id, content, owner(service), name=name, content_type=content_type)
    problem = problem_of(response, 415, "unsupported-attachment-type")
    assert fields_of(problem) == {"file"}
    assert "image/jpeg" in problem["accepted"]


@pytest.mark.parametrize(("content", "kind", "limit"), [
    (photo(PHOTO_LIMIT + 1), "photo", PHOTO_LIMIT),
    (audio(AUDIO_LIMIT + 1), "audio", AUDIO_LIMIT),
    (video(VIDEO_LIMIT + 1), "video", VIDEO_LIMIT),
])
def test_a_file_over_its_kinds_limit_is_refused_with_the_limit(service, content, kind, limit):
    petition_id = submit(service)

    with nothing_stored(service):
        response = upload(service, petition_id, content, owner(service))
    problem = problem_of(response, 413, "attachment-too-large")
    assert fields_of(problem) == {"file"}
    assert str(limit) in problem["detail"] and kind in problem["detail"]
    assert problem["limit_bytes"] == limit and problem["attachment_kind"] == kind


def test_each_kind_up_to_its_own_limit_is_accepted(service):
    petition_id = submit(service)

    # the audio and the video are larger than a photo may be, and than the app's JSON limit
    for content in (photo(PHOTO_LIMIT), audio(AUDIO_LIMIT), video(VIDEO_LIMIT)):
        assert upload(service, petition_id, content, owner(service)).status_code == 201
    assert gridfs_counts(service) == (3, 3)


def test_a_body_over_the_routes_limit_is_refused_before_it_is_read(service):
    petition_id = submit(service)

    with nothing_stored(service):
        response = upload(service, petition_id, video(ROUTE_LIMIT + 1), owner(service))
    problem = problem_of(response, 413, "payload-too-large")
    assert problem["limit_bytes"] == ROUTE_LIMIT


def test_the_larger_limit_is_for_the_upload_route_only(service):
    too_long = "村口的路灯坏了，晚上出行不安全。" * 60  # ~2.9 KB of UTF-8: over the JSON limit of 2 KiB

    with nothing_stored(service):
        response = service.client.post(URL, json=petition_body(description=too_long),
                                       headers=headers_of(service, "petitioner", OWNER))
    problem_of(response, 413, "payload-too-large")


@pytest.mark.parametrize(("kwargs"), [
    {"json": {"file": "aGVsbG8="}},
    {"data": PNG, "content_type": "image/png"},
    {"data": "file=abc", "content_type": "application/x-www-form-urlencoded"},
], ids=["json", "raw-image", "urlencoded"])
def test_a_body_that_is_not_multipart_is_refused(service, kwargs):
    petition_id = submit(service)

    with nothing_stored(service):
        response = service.client.post(f"{URL}/{petition_id}/attachments", headers=owner(service), **kwargs)
    assert fields_of(problem_of(response, 415, "unsupported-media-type")) == {"Content-Type"}


# --- closed petitions -----------------------------------------------------------------------------

@pytest.mark.parametrize("status", ["closed", "routed_out"])
def test_no_evidence_is_added_to_a_finished_petition_but_it_can_still_be_read(service, status):
    petition_id = submit(service)
    hold(service, petition_id)
    earlier = upload(service, petition_id, photo(500), owner(service)).get_json()
    set_petition(service, petition_id, status=status)

    for who in (owner(service), headers_of(service, "agent", AGENT)):
        with nothing_stored(service):
            response = upload(service, petition_id, photo(600), who)
        assert fields_of(problem_of(response, 409, "petition-closed")) == {"petition_id"}
    assert listing(service, petition_id, owner(service)).get_json()["total"] == 1
    assert download(service, petition_id, earlier["id"], owner(service)).data == photo(500)


def test_a_reopened_petition_takes_evidence_again(service):
    petition_id = submit(service)
    set_petition(service, petition_id, status="closed")
    problem_of(upload(service, petition_id, photo(500), owner(service)), 409, "petition-closed")

    set_petition(service, petition_id, status="assigned")  # e.g. after a review request

    assert upload(service, petition_id, photo(500), owner(service)).status_code == 201


# --- Idempotency-Key ------------------------------------------------------------------------------

def test_the_same_key_and_bytes_give_the_same_attachment_once(service):
    petition_id = submit(service)
    content = photo(800)

    first = upload(service, petition_id, content, owner(service, **{"Idempotency-Key": "up-1"}))
    again = upload(service, petition_id, content, owner(service, **{"Idempotency-Key": "up-1"}), name="other.png")

    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.headers["Location"] == first.headers["Location"]
    assert gridfs_counts(service) == (1, 1)


def test_the_same_key_with_other_bytes_is_refused(service):
    petition_id = submit(service)
    upload(service, petition_id, photo(800), owner(service, **{"Idempotency-Key": "up-1"}))

    with nothing_stored(service):
        response = upload(service, petition_id, photo(801), owner(service, **{"Idempotency-Key": "up-1"}))
    assert fields_of(problem_of(response, 422, "idempotency-key-reused")) == {"Idempotency-Key"}


def test_the_same_key_and_bytes_on_another_petition_is_refused(service):
    first_petition = submit(service)
    hold(service, first_petition)
    second_petition = submit(service, sub="wx-neighbour")
    hold(service, second_petition)
    agent = headers_of(service, "agent", AGENT, **{"Idempotency-Key": "ev-1"})
    upload(service, first_petition, photo(800), agent)

    with nothing_stored(service):
        response = upload(service, second_petition, photo(800), agent)
    problem_of(response, 422, "idempotency-key-reused")


def test_keys_belong_to_one_uploader(service):
    petition_id = submit(service)
    hold(service, petition_id)

    mine = upload(service, petition_id, photo(800), owner(service, **{"Idempotency-Key": "k"}))
    theirs = upload(service, petition_id, photo(800), headers_of(service, "agent", AGENT, **{"Idempotency-Key": "k"}))

    assert mine.status_code == theirs.status_code == 201
    assert mine.get_json()["id"] != theirs.get_json()["id"]
    assert gridfs_counts(service) == (2, 2)


def test_a_replay_after_closure_still_answers_the_first_upload(service):
    petition_id = submit(service)
    first = upload(service, petition_id, photo(800), owner(service, **{"Idempotency-Key": "up-1"}))
    set_petition(service, petition_id, status="closed")

    again = upload(service, petition_id, photo(800), owner(service, **{"Idempotency-Key": "up-1"}))

    assert again.status_code == 201 and again.get_json()["id"] == first.get_json()["id"]


def test_an_overlong_key_is_refused(service):
    petition_id = submit(service)

    with nothing_stored(service):
        response = upload(service, petition_id, photo(800), owner(service, **{"Idempotency-Key": "k" * 129}))
    problem_of(response, 400, "invalid-idempotency-key")


def test_losing_the_race_for_a_key_leaves_no_chunks_behind(service):
    """Two uploads with one key reach the store together: the second file document hits the unique
    index after its chunks were written; those chunks are removed and the key's owner is reported."""
    uploader = {"role": "petitioner", "id": "ref_x"}
    common = dict(petition_id="pet-1", kind="photo", media_type="image/png", extension="png", size=len(PNG),
                  sha256=hashlib.sha256(PNG).hexdigest(), uploaded_by=uploader,
                  uploaded_at=service.runtime.context.clock(), file_name=None, idempotency_key="k")
    attachments_store.put(service.db, io.BytesIO(PNG), attachment_id="att-first", **common)

    with nothing_stored(service), pytest.raises(attachments_store.DuplicateIdempotencyKey):
        attachments_store.put(service.db, io.BytesIO(PNG), attachment_id="att-second", **common)
    assert service.db[attachments_store.CHUNKS].count_documents({"files_id": "att-second"}) == 0


# --- documentation --------------------------------------------------------------------------------

def test_the_routes_are_in_the_openapi_document(service):
    spec = service.client.get("/docs/intake/openapi.json").get_json()

    collection = spec["paths"]["/api/v1/petitions/{petition_id}/attachments"]
    assert "multipart/form-data" in collection["post"]["requestBody"]["content"]
    assert {"201", "409", "413", "415"} <= set(collection["post"]["responses"])
    assert "get" in collection
    item = spec["paths"]["/api/v1/petitions/{petition_id}/attachments/{attachment_id}"]
    assert "image/jpeg" in item["get"]["responses"]["200"]["content"]


def test_a_refusal_reads_in_chinese_when_asked_and_keeps_its_type_and_field(service):
    petition_id = submit(service)

    with nothing_stored(service):
        response = upload(service, petition_id, photo(PHOTO_LIMIT + 1), owner(service, **{"Accept-Language": "zh-CN"}))
    problem = problem_of(response, 413, "attachment-too-large")
    assert response.headers["Content-Language"] == "zh"
    assert problem["title"] == "附件过大"
    assert str(PHOTO_LIMIT) in problem["detail"] and "字节" in problem["detail"]
    assert fields_of(problem) == {"file"} and problem["limit_bytes"] == PHOTO_LIMIT
