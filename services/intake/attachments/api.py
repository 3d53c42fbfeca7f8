"""Attachments of a petition over HTTP: photos, audio and video as evidence.

Who: the petitioner who owns the petition, the agent holding it (or who entered it for the
petitioner), and handling staff (coordinator, admin, mediator) whose division covers it; the rule
is ``services.intake.access.may_read``, the same as for reading the petition. Anybody else gets 404,
as if the petition did not exist; roles that never handle petitions (department, reporter) get 403.

Refusals (problem+json; nothing is stored by any of them):

- body not ``multipart/form-data`` → 415 ``unsupported-media-type``
- body larger than the route reads (the largest kind's limit + 64 KiB) → 413 ``payload-too-large``
- no ``file`` part, or more than one → 422 ``validation-failed``, field ``file``
- an empty file → 422 ``empty-attachment``, field ``file``
- content that is not an accepted photo, audio or video type, whatever the part's Content-Type or
  file name claim → 415 ``unsupported-attachment-type``, field ``file`` (415 rather than 422: the
  request is well formed, the content is in a format this resource does not take)
- larger than its kind's limit → 413 ``attachment-too-large``, field ``file``, the limit in ``detail``
  and ``limit_bytes``
- ``Idempotency-Key`` reused with other content or another petition → 422 ``idempotency-key-reused``
- the petition is closed or routed out of the petition track → 409 ``petition-closed``: evidence
  after the written answer is not added to a finished case; a review request (复查) reopens it,
  and uploads are accepted again. Reading and downloading stay allowed.
"""
from __future__ import annotations

import hashlib
import logging
import uuid
from urllib.parse import quote

from flask import Response, current_app, g, request
from flask_smorest import Blueprint
from flask_smorest.fields import Upload
from marshmallow import Schema, fields

from shared.http import Problem, field_error, requires
from shared.http.idempotency import idempotency_key
from shared.http.fields import LocalDateTime
from shared.http.pagination import PageArgs, page_schema
from shared.privacy import subject_ref

from .. import access
from .. import store as petitions
from . import kinds, store

log = logging.getLogger(__name__)

blp = Blueprint("attachments", __name__, url_prefix="/api/v1/petitions",
                description="Photos, audio and video attached to a petition")

READ_BLOCK = 64 * 1024
MULTIPART = "multipart/form-data"


def _ctx():
    return current_app.extensions["daiban"]


def accepts(*media_types: str):
    """Let the app's JSON-only check pass these request media types to the view."""
    def decorator(view):
        view._daiban_media_types = media_types
        return view
    return decorator


class UploadForm(Schema):
    file = Upload(required=True, metadata={
        "description": "the photo, recording or video; its type is read from its content: "
                       + ", ".join(kinds.ACCEPTED_MEDIA_TYPES)})


class AttachmentOut(Schema):
    id = fields.String()
    petition_id = fields.String()
    kind = fields.String(metadata={"description": "photo, audio or video"})
    media_type = fields.String(metadata={"description": "sniffed from the content"})
    size = fields.Integer(metadata={"description": "bytes"})
    sha256 = fields.String(metadata={"description": "hex SHA-256 of the content; also the download's ETag"})
    uploaded_at = LocalDateTime()
    uploaded_by_role = fields.Function(lambda record: record["uploaded_by"]["role"],
                                       metadata={"description": "petitioner, agent, coordinator, admin or mediator"})
    file_name = fields.String(allow_none=True, metadata={"description": "the uploader's file name, without path"})


AttachmentPage = page_schema(AttachmentOut, "AttachmentPage")

_IDEMPOTENCY_DOC = {"parameters": [{
    "in": "header", "name": "Idempotency-Key", "required": False, "schema": {"type": "string", "maxLength": 128},
    "description": "the same key and content answer the same attachment (201, `Idempotent-Replayed: true`); "
                   "the same key with other content is refused (422 idempotency-key-reused)"}]}
_DOWNLOAD_DOC = {"responses": {"200": {
    "description": "the content, served as the type sniffed at upload, as a download",
    "content": {media_type: {"schema": {"type": "string", "format": "binary"}}
                for media_type in kinds.ACCEPTED_MEDIA_TYPES}}}}


@blp.before_request
def upload_limits():
    """The upload route reads bodies up to the largest kind's limit + 64 KiB (the app's limit is
    for JSON); every other route keeps the app's."""
    if request.endpoint != f"{blp.name}.upload":
        return None
    limit = kinds.route_limit(_ctx().settings)
    request.max_content_length = limit
    request.max_form_parts = 16
    if request.content_length is not None and request.content_length > limit:
        raise Problem(413, detail=f"an upload may be at most {kinds.describe_size(limit)} ({limit} bytes) "
                                  "including its multipart envelope",
                      errors=[field_error("body", "too large")], limit_bytes=limit)
    return None


@blp.route("/<petition_id>/attachments", methods=["POST"])
@requires("petitioner", "agent", *access.HANDLING_STAFF)
@accepts(MULTIPART)
@blp.arguments(UploadForm, location="files")
@blp.response(201, AttachmentOut)
@blp.alt_response(404, description="no such petition, or not one the caller may read")
@blp.alt_response(409, description="petition-closed: the petition is closed or routed out")
@blp.alt_response(413, description="attachment-too-large (the kind's limit, `limit_bytes`) or "
                                   "payload-too-large (the route's limit)")
@blp.alt_response(415, description="unsupported-attachment-type (judged from the content) or "
                                   "unsupported-media-type (not multipart/form-data)")
@blp.doc(**_IDEMPOTENCY_DOC)
def upload(form, petition_id):
    """Attach a photo, recording or video (one ``file`` part of a multipart/form-data body).

    The type is read from the content; the part's Content-Type and file name are not trusted.
    Limits per kind: DAIBAN_MAX_PHOTO_BYTES, DAIBAN_MAX_AUDIO_BYTES, DAIBAN_MAX_VIDEO_BYTES.
    Refused with 409 once the petition is closed or routed out."""
    ctx = _ctx()
    petition = _readable_petition(ctx, petition_id)
    part = _single_file_part()
    sniffed, size, digest = _inspect(part.stream, ctx.settings)
    uploader = _uploader(ctx)
    key = idempotency_key()
    if key:
        earlier = store.find_by_idempotency_key(ctx.db, uploader, key)
        if earlier is not None:
            return _replay(earlier, petition_id, digest)
    if petition.get("status") in petitions.FINISHED:
        raise Problem(409, "petition-closed",
                      "the petition is finished (closed or routed out); evidence is no longer added to it. "
                      "A review request reopens it.", title="Petition closed",
                      errors=[field_error("petition_id", f"petition is {petition['status']}")])
    now = ctx.clock()
    now = now.replace(microsecond=now.microsecond // 1000 * 1000)  # what BSON keeps
    part.stream.seek(0)
    try:
        record = store.put(ctx.db, part.stream, attachment_id=f"att-{uuid.uuid4().hex}", petition_id=petition_id,
                           kind=sniffed.kind, media_type=sniffed.media_type, extension=sniffed.extension,
                           size=size, sha256=digest, uploaded_by=uploader, uploaded_at=now,
                           file_name=kinds.sanitise_file_name(part.filename), idempotency_key=key)
    except store.DuplicateIdempotencyKey:
        return _replay(store.find_by_idempotency_key(ctx.db, uploader, key), petition_id, digest)
    log.info("attachment stored", extra={"attachment_id": record["id"], "kind": record["kind"],
                                         "size": record["size"]})
    return record, 201, {"Location": _location(record)}


@blp.route("/<petition_id>/attachments", methods=["GET"])
@requires("petitioner", "agent", *access.HANDLING_STAFF)
@blp.arguments(PageArgs, location="query")
@blp.response(200, AttachmentPage)
def list_attachments(page_args, petition_id):
    """The petition's attachments, oldest first."""
    ctx = _ctx()
    _readable_petition(ctx, petition_id)
    return store.list_for_petition(ctx.db, petition_id, page_args)


@blp.route("/<petition_id>/attachments/<attachment_id>", methods=["GET"])
@requires("petitioner", "agent", *access.HANDLING_STAFF)
@blp.doc(**_DOWNLOAD_DOC)
def download(petition_id, attachment_id):
    """The attachment's content as a download, with the sniffed Content-Type and its SHA-256 as ETag
    (``If-None-Match`` answers 304)."""
    ctx = _ctx()
    _readable_petition(ctx, petition_id)
    record = store.get(ctx.db, petition_id, attachment_id)
    if record is None:
        raise Problem(404, detail="no such attachment", errors=[field_error("attachment_id", "not found")])
    sniffed = kinds.by_media_type(record["media_type"]) or kinds.Sniffed(record["kind"], record["media_type"], "bin")
    name = kinds.download_name(record["file_name"], sniffed, record["id"])
    response = Response(store.content(ctx.db, record["id"]), mimetype=record["media_type"], direct_passthrough=True)
    response.content_length = record["size"]
    response.headers["Content-Disposition"] = (f'attachment; filename="{record["id"]}.{sniffed.extension}"; '
                                               f"filename*=UTF-8''{quote(name, safe='')}")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-cache"
    response.set_etag(record["sha256"])
    return response.make_conditional(request)


def _readable_petition(ctx, petition_id: str) -> dict:
    petition = petitions.get(ctx.db, petition_id)
    if petition is None or not access.may_read(ctx.settings, g.principal, petition):
        raise Problem(404, detail="no such petition", errors=[field_error("petition_id", "not found")])
    g.correlation_id = petition_id
    return petition


def _single_file_part():
    parts = request.files.getlist("file")
    if len(parts) != 1:
        raise Problem(422, detail="send exactly one file in the part named file",
                      errors=[field_error("file", f"exactly one file part expected, got {len(parts)}")])
    return parts[0]


def _inspect(stream, settings) -> tuple[kinds.Sniffed, int, str]:
    """The sniffed type, the size and the SHA-256 of an uploaded part; refusals as problems."""
    stream.seek(0)
    head = stream.read(kinds.SNIFF_BYTES)
    if not head:
        raise Problem(422, "empty-attachment", "the file is empty", title="Empty attachment",
                      errors=[field_error("file", "empty")])
    sniffed = kinds.sniff(head)
    if sniffed is None:
        raise Problem(415, "unsupported-attachment-type",
                      "the content is not an accepted photo, audio or video type; accepted: "
                      + ", ".join(kinds.ACCEPTED_MEDIA_TYPES),
                      title="Unsupported attachment type",
                      errors=[field_error("file", "unsupported type (read from the content)")],
                      accepted=list(kinds.ACCEPTED_MEDIA_TYPES))
    digest, size = hashlib.sha256(head), len(head)
    while block := stream.read(READ_BLOCK):
        digest.update(block)
        size += len(block)
    limit = kinds.limit_for(sniffed.kind, settings)
    if size > limit:
        raise Problem(413, "attachment-too-large",
                      f"a {sniffed.kind} may be at most {kinds.describe_size(limit)} ({limit} bytes); "
                      f"this one has {size} bytes",
                      title="Attachment too large", errors=[field_error("file", f"larger than {limit} bytes")],
                      attachment_kind=sniffed.kind, limit_bytes=limit)
    return sniffed, size, digest.hexdigest()


def _uploader(ctx) -> dict:
    """Role and id, never a name: a petitioner by the pseudonymous reference the petition keeps."""
    principal = g.principal
    if principal.role == "petitioner":
        return {"role": "petitioner", "id": subject_ref(ctx.settings, principal.sub)}
    return {"role": principal.role, "id": principal.sub}


def _replay(earlier: dict, petition_id: str, digest: str):
    if earlier["petition_id"] != petition_id or earlier["sha256"] != digest:
        raise Problem(422, "idempotency-key-reused",
                      "this Idempotency-Key was used with other content or another petition",
                      errors=[field_error("Idempotency-Key", "already used with another upload")])
    return earlier, 201, {"Location": _location(earlier), "Idempotent-Replayed": "true"}


def _location(record: dict) -> str:
    return f"{blp.url_prefix}/{record['petition_id']}/attachments/{record['id']}"
