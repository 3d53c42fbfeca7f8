"""``POST /api/v1/auth/dev-token``: a token for any role, in development only (never registered in
production, so the route does not exist there)."""
from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from ..events.envelope import DIVISION_CODE
from .auth import ROLES, issue_token, public

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth",
                description="Development-only tokens (absent when DAIBAN_ENV=production)")


class DevTokenRequest(Schema):
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    sub = fields.String(required=True, validate=[validate.Length(1, 128),
                                                 validate.Regexp(r"^[A-Za-z0-9._:@-]+$")])
    division = fields.String(required=True, validate=DIVISION_CODE)


class TokenResponse(Schema):
    token = fields.String(required=True)
    role = fields.String()
    sub = fields.String()
    division = fields.String()
    expires_in = fields.Integer()


@blp.route("/dev-token")
class DevToken(MethodView):
    @public
    @blp.arguments(DevTokenRequest)
    @blp.response(201, TokenResponse)
    def post(self, body):
        """Issue a development token for a role, a subject and a division scope."""
        settings = current_app.extensions["daiban"].settings
        return {**body, "token": issue_token(settings, body["sub"], body["role"], body["division"]),
                "expires_in": settings.token_ttl}
