"""intake's HTTP API: submit a petition, read it, list one's own."""
from __future__ import annotations

from datetime import date

from flask import current_app, g, request
from flask_smorest import Blueprint

from shared.events import new_event
from shared.http import Problem, field_error, requires
from shared.http.auth import STAFF
from shared.http.pagination import PageArgs
from shared.logs import correlation_id_var
from shared.privacy import subject_ref

from . import domain, messages, store
from .schemas import PetitionCreate, PetitionOut, PetitionPage

blp = Blueprint("petitions", __name__, url_prefix="/api/v1/petitions",
                description="Submit a petition, follow its progress")


def _ctx():
    return current_app.extensions["daiban"]


@blp.route("", methods=["POST"])
@requires("petitioner")
@blp.arguments(PetitionCreate)
@blp.response(201, PetitionOut)
def submit(body):
    """Submit a petition; answers its number and the dates the law gives.

    With an ``Idempotency-Key`` header, repeating the same body answers the same petition (201 with
    ``Idempotent-Replayed: true``); the same key with another body is refused (422)."""
    ctx = _ctx()
    ref = subject_ref(ctx.settings, g.principal.sub)
    key = _idempotency_key()
    if key:
        earlier = store.find_by_idempotency_key(ctx.db, ref, key)
        if earlier is not None:
            return _replay(earlier, body)
    petition = _build(ctx, body, ref, key)
    try:
        store.insert_petition(ctx.db, petition, [_submitted_event(petition)])
    except store.DuplicateIdempotencyKey:
        return _replay(store.find_by_idempotency_key(ctx.db, ref, key), body)
    ctx.nudge_relay(store.PETITIONS, petition["_id"])
    correlation_id_var.set(petition["_id"])
    g.correlation_id = petition["_id"]
    return _present(petition), 201, {"Location": f"{blp.url_prefix}/{petition['_id']}"}


@blp.route("", methods=["GET"])
@requires("petitioner")
@blp.arguments(PageArgs, location="query")
@blp.response(200, PetitionPage)
def list_mine(page_args):
    """The caller's own petitions, newest first."""
    ctx = _ctx()
    page = store.list_for_petitioner(ctx.db, subject_ref(ctx.settings, g.principal.sub), page_args)
    return {**page, "items": [_present(p) for p in page["items"]]}


@blp.route("/<petition_id>", methods=["GET"])
@requires("petitioner", *STAFF)
@blp.response(200, PetitionOut)
def read(petition_id):
    """One petition: its status, its agent once assigned, and its public timeline."""
    ctx = _ctx()
    petition = store.get(ctx.db, petition_id)
    if petition is None or not _may_read(ctx, petition):
        raise Problem(404, detail="no such petition", errors=[field_error("petition_id", "not found")])
    g.correlation_id = petition_id
    return _present(petition)


def _may_read(ctx, petition) -> bool:
    principal = g.principal
    if principal.role == "petitioner":
        return petition["petitioner_ref"] == subject_ref(ctx.settings, principal.sub)
    return principal.covers(petition["division"])


def _idempotency_key() -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is not None and not (1 <= len(key) <= 128):
        raise Problem(400, "invalid-idempotency-key", "Idempotency-Key must be 1 to 128 characters",
                      errors=[field_error("Idempotency-Key", "1 to 128 characters")])
    return key


def _replay(earlier: dict, body: dict):
    if earlier.get("request_fingerprint") != domain.fingerprint(body):
        raise Problem(422, "idempotency-key-reused",
                      "this Idempotency-Key was used with a different request body",
                      errors=[field_error("Idempotency-Key", "already used with another body")])
    return _present(earlier), 201, {"Location": f"{blp.url_prefix}/{earlier['_id']}", "Idempotent-Replayed": "true"}


def _build(ctx, body: dict, ref: str, key: str | None) -> dict:
    now = ctx.clock()
    now = now.replace(microsecond=now.microsecond // 1000 * 1000)  # what BSON keeps: answer = stored = event
    zone = ctx.settings.timezone
    banner = body["division"][:6]
    dates = domain.statutory_dates(now, zone)
    serial = store.next_serial(ctx.db, banner, domain.local_day(now, zone))
    return {
        "_id": domain.new_petition_id(), "number": domain.petition_number(banner, now, zone, serial),
        "status": domain.SUBMITTED, **body, "petitioner_ref": ref, "received_at": now, "updated_at": now,
        "deadlines": {"receipt_notice_due": dates.receipt_notice_due.isoformat(),
                      "handling_due": dates.handling_due.isoformat()},
        "assigned_agent": None, "level": None, "timeline": domain.received_entries(now, dates),
        "idempotency_key": key, "request_fingerprint": domain.fingerprint(body) if key else None,
    }


def _submitted_event(petition: dict):
    return new_event("petition.submitted", {
        "petition_id": petition["_id"], "number": petition["number"], "category": petition["category"],
        "channel": petition["channel"], "language": petition["language"],
        "petitioner_ref": petition["petitioner_ref"], "preferred_agent_id": petition["preferred_agent_id"],
        "received_at": petition["received_at"],
        "deadlines": {k: date.fromisoformat(v) for k, v in petition["deadlines"].items()},
    }, division=petition["division"], correlation_id=petition["_id"], causation_id=g.request_id)


def _present(petition: dict) -> dict:
    language = messages.language_of(request.headers.get("Accept-Language"), petition.get("language", "zh"))
    timeline = [{"kind": e["kind"], "at": e["at"], "message": messages.render(e["kind"], e["params"], language)}
                for e in petition.get("timeline", [])]
    return {**petition, "timeline": timeline}
