"""Following a petition without an account: petition number + tracking code (查询码).

A wrong code and an unknown number get the same 404, so a guess reveals nothing; look-ups are
limited per client address and per number (429 with Retry-After)."""
from __future__ import annotations

from flask import current_app, request
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from shared.http import Problem, field_error, public
from shared.http.idempotency import idempotency_key

from . import aftercare_api, store, tracking, tracking_store
from .api import present
from .schemas import PetitionOut

blp = Blueprint("tracking", __name__, url_prefix="/api/v1/tracking",
                description="Follow a petition with its number and tracking code, without an account")


NUMBER = r"^\d{6}-\d{8}-\d{5}$"


class TrackingQuery(Schema):
    number = fields.String(required=True, validate=validate.Regexp(NUMBER),
                           metadata={"description": "the petition number, e.g. 152525-20261203-00001"})
    code = fields.String(required=True, validate=validate.Length(min=6, max=16))


@blp.route("", methods=["GET"])
@public
@blp.arguments(TrackingQuery, location="query")
@blp.response(200, PetitionOut)
def track(query):
    """The petition's status and public timeline (contact details only masked)."""
    ctx = current_app.extensions["daiban"]
    return present(_verified(ctx, query["number"], query["code"]), ctx)


class TrackedFeedback(aftercare_api.FeedbackCreate):
    number = fields.String(required=True, validate=validate.Regexp(NUMBER))
    code = fields.String(required=True, validate=validate.Length(min=6, max=16))


class TrackedReview(aftercare_api.ReviewCreate):
    number = fields.String(required=True, validate=validate.Regexp(NUMBER))
    code = fields.String(required=True, validate=validate.Length(min=6, max=16))


@blp.route("/feedback", methods=["POST"])
@public
@blp.arguments(TrackedFeedback)
@blp.response(201, aftercare_api.FeedbackReceipt)
def feedback(body):
    """A petitioner without an account rates the result with the number and tracking code; the same
    rules as for account holders (once, after closure, within the window)."""
    ctx = current_app.extensions["daiban"]
    number, code = body.pop("number"), body.pop("code")
    _verified(ctx, number, code)
    return aftercare_api.give_feedback(ctx, lambda: _verified(ctx, number, code, count=False), body,
                                       idempotency_key())


@blp.route("/review", methods=["POST"])
@public
@blp.arguments(TrackedReview)
@blp.response(201, aftercare_api.ReviewReceipt)
def review(body):
    """A petitioner without an account asks for review (复查) or re-review (复核) with number and code."""
    ctx = current_app.extensions["daiban"]
    number, code = body.pop("number"), body.pop("code")
    _verified(ctx, number, code)
    return aftercare_api.ask_review(ctx, lambda: _verified(ctx, number, code, count=False), body,
                                    idempotency_key())


def _verified(ctx, number: str, code: str, count: bool = True) -> dict:
    """The petition with this number and code (each look-up counts against the limit), else 404."""
    if count:
        _limit(ctx, number)
    petition = store.find_by_number(ctx.db, number)
    stored = (petition or {}).get("tracking", {}).get("hash", "")
    if petition is None or not tracking.matches(ctx.settings.secret, number, code, stored):
        raise Problem(404, detail="no petition with this number and code",
                      errors=[field_error("code", "number and code do not match a petition")])
    return petition


def _limit(ctx, number: str) -> None:
    now, window, allowed = ctx.clock(), ctx.settings.tracking_window, ctx.settings.tracking_attempts
    client = request.remote_addr or "unknown"
    counts = [tracking_store.count_attempt(ctx.db, f"ip:{client}", now, window),
              tracking_store.count_attempt(ctx.db, f"number:{number}", now, window)]
    if max(counts) > allowed:
        retry = tracking_store.seconds_left(now, window)
        raise Problem(429, detail=f"too many look-ups; try again in {retry} s", headers={"Retry-After": str(retry)},
                      errors=[field_error("code", "too many attempts")])
