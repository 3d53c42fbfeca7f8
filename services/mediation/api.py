"""mediation's HTTP API (sessions, parties and agreements come with the mediation issue)."""
from __future__ import annotations

from flask import current_app, g
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from shared.http import requires
from shared.http.auth import scope_prefix
from shared.http.fields import LocalDateTime
from shared.http.pagination import PageArgs, page_schema

from . import store

blp = Blueprint("mediations", __name__, url_prefix="/api/v1/mediations",
                description="Mediations and three-party consultations")


class CaseOut(Schema):
    id = fields.String(attribute="_id")
    petition_id = fields.String()
    division = fields.String()
    kind = fields.String()
    status = fields.String()
    requested_at = LocalDateTime()


CasePage = page_schema(CaseOut, "MediationCasePage")


@blp.route("", methods=["GET"])
@requires("mediator", "coordinator", "admin")
@blp.arguments(PageArgs, location="query")
@blp.response(200, CasePage)
def list_cases(page_args):
    """Mediation cases in the caller's division."""
    ctx = current_app.extensions["daiban"]
    return store.list_cases(ctx.db, scope_prefix(g.principal.division), page_args)
