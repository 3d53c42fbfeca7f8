"""notify's HTTP API: the caller's own in-app inbox."""
from __future__ import annotations

from flask import current_app, g, request
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from shared.http import requires
from shared.http.auth import ROLES
from shared.http.fields import LocalDateTime
from shared.http.i18n import header_language
from shared.http.pagination import PageArgs, page_schema
from shared.privacy import subject_ref

from . import domain, store

blp = Blueprint("notifications", __name__, url_prefix="/api/v1/notifications",
                description="The caller's in-app notifications")


class NotificationOut(Schema):
    id = fields.String(attribute="_id")
    template = fields.String()
    message = fields.String()
    petition_id = fields.String()
    channel = fields.String()
    read = fields.Boolean()
    created_at = LocalDateTime()


NotificationPage = page_schema(NotificationOut, "NotificationPage")


@blp.route("", methods=["GET"])
@requires(*ROLES)
@blp.arguments(PageArgs, location="query")
@blp.response(200, NotificationPage)
def list_mine(page_args):
    """The caller's own notifications, newest first."""
    ctx = current_app.extensions["daiban"]
    page = store.list_for(ctx.db, subject_ref(ctx.settings, g.principal.sub), page_args)
    language = header_language(request.headers.get("Accept-Language"), "zh")
    page["items"] = [{**n, "message": domain.render(n["template"], n["params"], language)} for n in page["items"]]
    return page
