"""intake's HTTP API after the answer: the petitioner rates the result (结果反馈) and asks for review
(复查) or re-review (复核). Both are creating POSTs of the petition's owner and accept ``Idempotency-Key``."""
from __future__ import annotations

from flask import current_app, g
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from shared.events import new_event
from shared.events.schemas import REVIEW_KINDS, SATISFACTION
from shared.http import Problem, field_error, requires
from shared.http.idempotency import idempotency_key, reused
from shared.http.fields import LocalDateTime

from . import access, aftercare, aftercare_store, domain, store

blp = Blueprint("aftercare", __name__, url_prefix="/api/v1/petitions",
                description="After the answer: feedback on the result, review (复查) and re-review (复核)")

ATTEMPTS = 3  # a write that lost a race is decided again on the fresh petition, at most this often


class FeedbackCreate(Schema):
    satisfaction = fields.String(required=True, validate=validate.OneOf(SATISFACTION), metadata={
        "description": "satisfied 满意, basically_satisfied 基本满意, dissatisfied 不满意"})
    solved = fields.Boolean(required=True, metadata={"description": "was the matter solved?"})
    contacted = fields.Boolean(required=True, metadata={"description": "did the agent contact you?"})
    comment = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500),
                            metadata={"description": "kept in intake only; never on the event bus"})


class FeedbackReceipt(Schema):
    petition_id = fields.String()
    satisfaction = fields.String()
    solved = fields.Boolean()
    contacted = fields.Boolean()
    comment = fields.String(allow_none=True)
    rated_at = LocalDateTime()


class ReviewCreate(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(REVIEW_KINDS), metadata={
        "description": "review 复查: within 30 days of the written answer (条例 第三十五条); re_review 复核: "
                       "within 30 days of the review answer (第三十六条)"})
    reason = fields.String(required=True, validate=validate.Length(min=1, max=1000),
                           metadata={"description": "why the answer is not accepted"})


class ReviewReceipt(Schema):
    petition_id = fields.String()
    kind = fields.String()
    reason = fields.String()
    requested_at = LocalDateTime()
    answer_due_in_days = fields.Integer(metadata={"description": "the level above answers within this many days"})


def _ctx():
    return current_app.extensions["daiban"]


PROBLEM = "application/problem+json"
NOT_YOURS = "not-found: no such petition of the caller (another petitioner's answers the same)"


@blp.route("/<petition_id>/feedback", methods=["POST"])
@requires("petitioner")
@blp.arguments(FeedbackCreate)
@blp.response(201, FeedbackReceipt)
@blp.alt_response(404, content_type=PROBLEM, description=NOT_YOURS)
@blp.alt_response(409, content_type=PROBLEM,
                  description="not-closed, already-rated, feedback-window-closed (stable problem types)")
def rate(body, petition_id):
    """Rate the result (结果反馈).

    Once, after closure, within the feedback window (setting, default 30 days): refused with 409
    ``not-closed`` before closure, ``already-rated`` the second time and ``feedback-window-closed`` after
    the window; 404 for a petition that is not the caller's. The comment stays in intake: the event
    ``petition.rated`` carries the rating only. With an ``Idempotency-Key`` the same body answers the same
    feedback; another body is refused (422)."""
    ctx = _ctx()
    return give_feedback(ctx, lambda: _owned(ctx, petition_id), body, idempotency_key())


def give_feedback(ctx, load, body: dict, key: str | None):
    """Rate the petition ``load()`` gives (called again after a lost race); the caller has checked who asks."""
    fingerprint = domain.fingerprint(body)
    for _ in range(ATTEMPTS):
        petition = load()
        petition_id = petition["_id"]
        earlier = petition.get("feedback")
        if key and earlier and earlier.get("idempotency_key") == key:
            return _replay(earlier, fingerprint, _feedback_receipt(petition_id, earlier))
        now = _now(ctx)
        refusal = aftercare.may_rate(petition, now, days=ctx.settings.feedback_days, zone=ctx.settings.timezone)
        if refusal:
            raise _refused(refusal)
        feedback = {"satisfaction": body["satisfaction"], "solved": body["solved"], "contacted": body["contacted"],
                    "comment": body.get("comment"), "rated_at": now,
                    "idempotency_key": key, "request_fingerprint": fingerprint if key else None}
        event = _event(petition, "petition.rated", {
            "petition_id": petition_id, "agent_id": (petition.get("assigned_agent") or {}).get("id"),
            "level": petition.get("level"), "satisfaction": body["satisfaction"], "solved": body["solved"],
            "contacted": body["contacted"], "rated_at": now})
        entry = domain.timeline_entry("rated", now, satisfaction=body["satisfaction"])
        if aftercare_store.record_feedback(ctx.db, petition, feedback, entry, event, now) is not None:
            ctx.nudge_relay(store.PETITIONS, petition_id)
            return _feedback_receipt(petition_id, feedback), 201
    raise _raced()


@blp.route("/<petition_id>/review", methods=["POST"])
@requires("petitioner")
@blp.arguments(ReviewCreate)
@blp.response(201, ReviewReceipt)
@blp.alt_response(404, content_type=PROBLEM, description=NOT_YOURS)
@blp.alt_response(409, content_type=PROBLEM,
                  description="review-not-possible, review-window-closed (stable problem types)")
def request_review(body, petition_id):
    """Ask for review (复查) or re-review (复核).

    Ask the organ one level up for review (复查) of the written answer, within 30 days of it, or for
    re-review (复核) of the review answer, within 30 days of that; the petition is reopened there
    (``petition.review_requested``), and the re-review's answer is final.

    Refused with 409 ``review-not-possible`` (no answer to review, the wrong round, already asked for, a
    final matter) and ``review-window-closed`` after the 30 days; 404 for a petition that is not the
    caller's. ``Idempotency-Key`` as for feedback."""
    ctx = _ctx()
    return ask_review(ctx, lambda: _owned(ctx, petition_id), body, idempotency_key())


def ask_review(ctx, load, body: dict, key: str | None):
    """Ask for review of the petition ``load()`` gives; the caller has checked who asks."""
    fingerprint = domain.fingerprint(body)
    for _ in range(ATTEMPTS):
        petition = load()
        petition_id = petition["_id"]
        earlier = next((r for r in petition.get("reviews") or [] if key and r.get("idempotency_key") == key), None)
        if earlier is not None:
            return _replay(earlier, fingerprint, _review_receipt(petition_id, earlier))
        now = _now(ctx)
        refusal = aftercare.may_request_review(petition, body["kind"], now, zone=ctx.settings.timezone)
        if refusal:
            raise _refused(refusal)
        review = {"kind": body["kind"], "reason": body["reason"], "requested_at": now,
                  "about_round": aftercare.review_round(petition),
                  "idempotency_key": key, "request_fingerprint": fingerprint if key else None}
        event = _event(petition, "petition.review_requested",
                       {"petition_id": petition_id, "kind": body["kind"], "requested_at": now})
        entry = domain.timeline_entry("review_requested", now, review_kind=body["kind"])
        if aftercare_store.record_review_request(ctx.db, petition, review, entry, event, now) is not None:
            ctx.nudge_relay(store.PETITIONS, petition_id)
            return _review_receipt(petition_id, review), 201
    raise _raced()


def _owned(ctx, petition_id: str) -> dict:
    """The caller's own petition; anyone else's answers as if it did not exist."""
    petition = store.get(ctx.db, petition_id)
    if petition is None or not access.is_petitioner(ctx.settings, g.principal, petition):
        raise Problem(404, detail="no such petition", errors=[field_error("petition_id", "not found")])
    g.correlation_id = petition_id
    return petition


def _now(ctx):
    now = ctx.clock()
    return now.replace(microsecond=now.microsecond // 1000 * 1000)  # what BSON keeps: answer = stored = event


def _event(petition: dict, name: str, data: dict):
    return new_event(name, data, division=petition["division"], correlation_id=petition["_id"],
                     causation_id=g.request_id, sequence=aftercare.next_sequence(petition))


def _replay(earlier: dict, fingerprint: str, receipt: dict):
    if earlier.get("request_fingerprint") != fingerprint:
        raise reused()
    return receipt, 201, {"Idempotent-Replayed": "true"}


def _refused(refusal: aftercare.Refusal) -> Problem:
    return Problem(409, refusal.kind, refusal.detail, errors=[field_error(refusal.field, refusal.detail)])


def _raced() -> Problem:
    return Problem(409, "conflict", "the petition changed while this request was decided; try again",
                   errors=[field_error("petition_id", "changed meanwhile")])


def _feedback_receipt(petition_id: str, feedback: dict) -> dict:
    return {"petition_id": petition_id, **{k: feedback.get(k) for k in (
        "satisfaction", "solved", "contacted", "comment", "rated_at")}}


def _review_receipt(petition_id: str, review: dict) -> dict:
    return {"petition_id": petition_id, "kind": review["kind"], "reason": review["reason"],
            "requested_at": review["requested_at"], "answer_due_in_days": aftercare.REVIEW_ANSWER_DAYS}
