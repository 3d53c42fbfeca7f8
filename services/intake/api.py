"""intake's petition API: submit online or, as an agent, offline for a petitioner; read; list one's own."""
from __future__ import annotations

from flask import current_app, g, request
from flask_smorest import Blueprint

from shared.http import Problem, field_error, require_scope, requires
from shared.http.idempotency import idempotency_key
from shared.http.pagination import PageArgs
from shared.logs import correlation_id_var
from shared.privacy import FieldCipher, subject_ref

from . import access, messages, personal, store, submission
from .schemas import OfflinePetitionOut, PetitionOut, PetitionPage
from .submission_schemas import OfflinePetitionCreate, PetitionCreate

blp = Blueprint("petitions", __name__, url_prefix="/api/v1/petitions",
                description="Submit a petition, follow its progress")


def _ctx():
    return current_app.extensions["daiban"]


@blp.route("", methods=["POST"])
@requires("petitioner")
@blp.arguments(PetitionCreate)
@blp.response(201, PetitionOut)
def submit(body):
    """Submit a petition online; answers its number and the dates the law gives.

    A similar open petition of the same petitioner in the same village is answered 409
    ``possible-duplicate`` with ``possible_duplicate_of``; send again with ``confirm_not_duplicate: true``
    to file it anyway. With an ``Idempotency-Key`` header, repeating the same body answers the same
    petition (201 with ``Idempotent-Replayed: true``); the same key with another body is refused (422)."""
    ctx = _ctx()
    filing = submission.file_petition(ctx, body, subject_ref(ctx.settings, g.principal.sub), idempotency_key(),
                                      g.request_id)
    return _created(ctx, filing)


@blp.route("/offline", methods=["POST"])
@requires("agent")
@blp.arguments(OfflinePetitionCreate)
@blp.response(201, OfflinePetitionOut)
def submit_offline(body):
    """An agent enters a petition for a petitioner met offline (home visit, reception point, patrol,
    horseback, phone). The answer carries the tracking code (查询码) to give the petitioner: with the
    petition number it lets them follow it on the portal without an account."""
    ctx = _ctx()
    require_scope(g.principal, body["division"])
    entry = {"by": g.principal.sub, "channel": body["channel"], **body["entry"]}
    key = idempotency_key()
    # an agent's keys are the agent's own: two agents entering for one herder never share a key
    key = f"agent:{g.principal.sub}:{key}" if key else None
    filing = submission.file_petition(ctx, body, personal.identity_ref(ctx.settings, body["contact"]), key,
                                      g.request_id, entry=entry)
    return _created(ctx, filing)


@blp.route("", methods=["GET"])
@requires("petitioner")
@blp.arguments(PageArgs, location="query")
@blp.response(200, PetitionPage)
def list_mine(page_args):
    """The caller's own petitions, newest first."""
    ctx = _ctx()
    page = store.list_for_petitioner(ctx.db, subject_ref(ctx.settings, g.principal.sub), page_args)
    return {**page, "items": [present(p, ctx) for p in page["items"]]}


@blp.route("/<petition_id>", methods=["GET"])
@requires("petitioner", "agent", *access.HANDLING_STAFF)
@blp.response(200, PetitionOut)
def read(petition_id):
    """One petition: its status, its agent once assigned, and its public timeline. Staff reads are audited."""
    ctx = _ctx()
    petition = store.get(ctx.db, petition_id)
    if petition is None or not access.may_read(ctx.settings, g.principal, petition):
        raise Problem(404, detail="no such petition", errors=[field_error("petition_id", "not found")])
    if g.principal.role != "petitioner":
        store.record_read(ctx.db, petition_id, g.principal, ctx.clock())
    g.correlation_id = petition_id
    return present(petition, ctx, with_contact=True)


def _created(ctx, filing: submission.Filing):
    petition = filing.petition
    correlation_id_var.set(petition["_id"])
    g.correlation_id = petition["_id"]
    headers = {"Location": f"{blp.url_prefix}/{petition['_id']}"}
    if filing.replayed:
        headers["Idempotent-Replayed"] = "true"
    return {**present(petition, ctx, with_contact=True), "tracking_code": filing.tracking_code}, 201, headers


def present(petition: dict, ctx, with_contact: bool = False) -> dict:
    """The petition as its reader sees it: timeline in their language, contact details only when allowed."""
    language = messages.language_of(request.headers.get("Accept-Language"), petition.get("language", "zh"))
    timeline = [{"kind": e["kind"], "at": e["at"], "message": messages.render(e["kind"], e["params"], language)}
                for e in petition.get("timeline", [])]
    contact = petition.get("contact")
    view = {**petition, "timeline": timeline, "contact_masked": (contact or {}).get("masked"), "contact": None,
            "group": _group_view(petition.get("group"))}
    if with_contact and contact:
        view["contact"] = personal.open_person(FieldCipher(ctx.settings), contact)
    return view


def _group_view(group: dict | None) -> dict | None:
    if not group:
        return None
    return {"size": group["size"], "representatives": [p.get("masked") for p in group["representatives"]]}
