"""What assignment's API accepts and returns."""
from marshmallow import Schema, fields, validate

from shared.events.schemas import CONTACT_METHODS, DECLINE_REASONS, LEVELS, OUTCOMES, PROCEDURES
from shared.http.fields import LocalDateTime
from shared.http.pagination import page_schema

MEDIATION_KINDS = ("people", "pre_litigation", "grid", "studio", "volunteer", "open_day", "three_party")
STATUSES = ("queued", "assigned", "accepted", "closed", "routed_out")


def _text(maximum: int, **kwargs):
    return fields.String(validate=validate.Length(min=1, max=maximum), **kwargs)


class HolderOut(Schema):
    kind = fields.String()
    id = fields.String()
    name = fields.String()
    division = fields.String()


class ClockOut(Schema):
    started_at = LocalDateTime()
    due_at = LocalDateTime()
    warned = fields.Boolean()
    overdue = fields.Boolean()
    stopped_at = LocalDateTime(allow_none=True)


class NoteOut(Schema):
    at = LocalDateTime()
    by = fields.String()
    text = fields.String()
    public = fields.Boolean()


class ForwardOut(Schema):
    id = fields.String()
    name = fields.String()
    forwarded_at = LocalDateTime()
    note = fields.String()
    reply = fields.Dict(allow_none=True)


class HistoryOut(Schema):
    at = LocalDateTime()
    by = fields.String()
    action = fields.String()


class AssignmentOut(Schema):
    petition_id = fields.String(attribute="_id")
    petition_number = fields.String()
    division = fields.String()
    category = fields.String()
    subject = fields.String(allow_none=True)
    language = fields.String(allow_none=True)
    channel = fields.String(allow_none=True)
    status = fields.String()
    level = fields.String()
    holder = fields.Nested(HolderOut, allow_none=True)
    reason = fields.String(metadata={"description": "why this holder (matching rule) or why queued"})
    declined_by = fields.List(fields.String())
    received_at = LocalDateTime()
    clocks = fields.Dict(keys=fields.String(), values=fields.Nested(ClockOut))
    extended = fields.Boolean()
    review_round = fields.Integer()
    findings = fields.String(allow_none=True, metadata={"description": "internal: never shown to the petitioner"})
    notes = fields.List(fields.Nested(NoteOut), metadata={"description": "public and internal notes"})
    forwards = fields.List(fields.Nested(ForwardOut))
    answer = fields.Dict(allow_none=True)
    routed_out = fields.Dict(allow_none=True)
    history = fields.List(fields.Nested(HistoryOut))
    version = fields.Integer(metadata={"description": "send as If-Match to refuse acting on a stale view"})


class AssignmentQuery(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10_000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))
    status = fields.String(load_default=None, validate=validate.OneOf(STATUSES))
    level = fields.String(load_default=None, validate=validate.OneOf(LEVELS))


class DeclineIn(Schema):
    reason_code = fields.String(required=True, validate=validate.OneOf(DECLINE_REASONS))
    note = fields.String(load_default="", validate=validate.Length(max=500))


class ContactIn(Schema):
    method = fields.String(required=True, validate=validate.OneOf(CONTACT_METHODS))


class VerifyIn(Schema):
    findings = _text(5000, required=True, metadata={"description": "internal"})


class ForwardIn(Schema):
    department_id = fields.String(required=True)
    note = fields.String(load_default="", validate=validate.Length(max=1000))


class DepartmentReplyIn(Schema):
    department_id = fields.String(required=True)
    accepted = fields.Boolean(required=True, metadata={"description": "false: objects that it is not its remit"})
    reply = _text(2000, required=True)


class NoteIn(Schema):
    text = _text(500, required=True)
    public = fields.Boolean(load_default=False, metadata={"description": "public notes reach the petitioner"})


class MediationIn(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(MEDIATION_KINDS))
    note = fields.String(load_default="", validate=validate.Length(max=500))


class EscalateIn(Schema):
    reason = _text(500, required=True)


class RouteOutIn(Schema):
    procedure = fields.String(required=True, validate=validate.OneOf(PROCEDURES))
    organ = _text(100, required=True, metadata={"description": "the organ to turn to"})
    guidance = _text(2000, required=True, metadata={"description": "the written guidance the petitioner receives"})


class ExtendIn(Schema):
    days = fields.Integer(required=True, validate=validate.Range(min=1, max=30))
    reason = _text(500, required=True, metadata={"description": "told to the petitioner"})


class CloseIn(Schema):
    outcome = fields.String(required=True, validate=validate.OneOf(OUTCOMES))
    answer = _text(5000, required=True, metadata={"description": "the written answer: claim, facts, reasons"})
    legal_basis = _text(500, required=True)


class ReassignIn(Schema):
    agent_id = fields.String(required=True)


AssignmentPage = page_schema(AssignmentOut, "AssignmentPage")
