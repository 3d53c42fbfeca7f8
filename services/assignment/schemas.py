from marshmallow import Schema, fields, validate

from shared.http.fields import LocalDateTime
from shared.http.pagination import page_schema


class AgentRef(Schema):
    id = fields.String()
    name = fields.String()
    division = fields.String()


class AssignmentOut(Schema):
    petition_id = fields.String(attribute="_id")
    petition_number = fields.String()
    division = fields.String()
    category = fields.String()
    status = fields.String()
    level = fields.String()
    agent = fields.Nested(AgentRef, allow_none=True)
    reason = fields.String(metadata={"description": "why this agent was chosen"})
    assigned_at = LocalDateTime()
    first_contact_due = LocalDateTime(allow_none=True)


class AssignmentQuery(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10_000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))
    status = fields.String(load_default=None, validate=validate.OneOf(("assigned", "awaiting_coordinator")))


AssignmentPage = page_schema(AssignmentOut, "AssignmentPage")
