"""marshmallow schemas of each event's ``data``. References only, never personal data in clear."""
from marshmallow import Schema, fields, validate

from .envelope import DIVISION_CODE

CATEGORIES = ("suggestion", "accusation", "complaint")
LEVELS = ("village", "township", "banner")
CHANNELS = ("mini_program", "web", "home_visit", "reception_point", "patrol", "horseback", "phone")
LANGUAGES = ("zh", "mn", "en")


class Deadlines(Schema):
    receipt_notice_due = fields.Date(required=True, metadata={"description": "15 days from receipt (条例 22, 23)"})
    handling_due = fields.Date(required=True, metadata={"description": "latest end of handling (条例 34)"})


class PetitionSubmitted(Schema):
    petition_id = fields.String(required=True)
    number = fields.String(required=True, metadata={"description": "human-readable petition number"})
    category = fields.String(required=True, validate=validate.OneOf(CATEGORIES))
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    language = fields.String(required=True, validate=validate.OneOf(LANGUAGES))
    petitioner_ref = fields.String(required=True, metadata={"description": "pseudonymous reference (keyed hash), never the identity"})
    preferred_agent_id = fields.String(load_default=None, allow_none=True)
    received_at = fields.AwareDateTime(required=True)
    deadlines = fields.Nested(Deadlines, required=True)


class AgentRef(Schema):
    id = fields.String(required=True)
    name = fields.String(required=True, metadata={"description": "the agent's public display name"})
    division = fields.String(required=True, validate=DIVISION_CODE)


class PetitionAssigned(Schema):
    petition_id = fields.String(required=True)
    agent = fields.Nested(AgentRef, required=True)
    level = fields.String(required=True, validate=validate.OneOf(LEVELS))
    reason = fields.String(required=True, metadata={"description": "why this agent (matching rule)"})
    petitioner_ref = fields.String(required=True)
    assigned_at = fields.AwareDateTime(required=True)
    first_contact_due = fields.AwareDateTime(required=True)


class MediationRequested(Schema):
    petition_id = fields.String(required=True)
    requested_by = fields.String(required=True, metadata={"description": "agent or coordinator id"})
    kind = fields.String(required=True, validate=validate.OneOf(
        ("people", "pre_litigation", "grid", "studio", "volunteer", "open_day", "three_party")))
    note = fields.String(load_default="", validate=validate.Length(max=500))
