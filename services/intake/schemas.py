"""What intake's API accepts and returns."""
from marshmallow import Schema, ValidationError, fields, validate, validates

from shared import divisions
from shared.events.schemas import CATEGORIES, CHANNELS, LANGUAGES, OUTCOMES, PROCEDURES
from shared.http.fields import LocalDateTime
from shared.http.pagination import page_schema

from .domain import ONLINE_CHANNELS


class PetitionCreate(Schema):
    title = fields.String(required=True, validate=validate.Length(min=2, max=100))
    description = fields.String(required=True, validate=validate.Length(min=5, max=5000))
    division = fields.String(required=True, metadata={"description": "12-digit village code where the matter is"})
    category = fields.String(required=True, validate=validate.OneOf(CATEGORIES), metadata={
        "description": "suggestion 建议意见类, accusation 检举控告类, complaint 申诉求决类"})
    channel = fields.String(load_default="mini_program", validate=validate.OneOf(ONLINE_CHANNELS))
    language = fields.String(load_default="zh", validate=validate.OneOf(LANGUAGES))
    preferred_agent_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))

    @validates("division")
    def known_village(self, value, **_):
        if not divisions.is_village(value):
            raise ValidationError("unknown village code: give the 12-digit code of the village (嘎查/村/社区)")


class AgentOut(Schema):
    id = fields.String()
    name = fields.String()
    division = fields.String()


class TimelineEntryOut(Schema):
    kind = fields.String()
    at = LocalDateTime()
    message = fields.String()


class DeadlinesOut(Schema):
    # stored as ISO dates (MongoDB has no date-only type)
    receipt_notice_due = fields.String(metadata={"format": "date"})
    handling_due = fields.String(metadata={"format": "date"})


class RoutedOutOut(Schema):
    procedure = fields.String(metadata={"description": "the legal procedure the matter belongs to (诉访分离): "
                                                       + ", ".join(PROCEDURES)})
    organ = fields.String(metadata={"description": "the organ to turn to"})
    guidance = fields.String(metadata={"description": "the written guidance the petitioner received"})


class AnswerOut(Schema):
    outcome = fields.String(metadata={"description": "信访处理意见: " + ", ".join(OUTCOMES)})
    answer = fields.String(metadata={"description": "the written answer"})
    legal_basis = fields.String()
    closed_at = LocalDateTime()
    on_time = fields.Boolean(metadata={"description": "closed within its limit"})


class PetitionOut(Schema):
    id = fields.String(attribute="_id")
    number = fields.String()
    status = fields.String()
    title = fields.String()
    description = fields.String()
    category = fields.String()
    channel = fields.String()
    division = fields.String()
    language = fields.String()
    level = fields.String(allow_none=True)
    received_at = LocalDateTime()
    deadlines = fields.Nested(DeadlinesOut)
    assigned_agent = fields.Nested(AgentOut, allow_none=True)
    timeline = fields.List(fields.Nested(TimelineEntryOut))
    routed_out = fields.Nested(RoutedOutOut, allow_none=True, dump_default=None, metadata={
        "description": "set when the matter left the petition track for a legal procedure"})
    answer = fields.Nested(AnswerOut, allow_none=True, dump_default=None,
                           metadata={"description": "the written answer, once closed"})


PetitionPage = page_schema(PetitionOut, "PetitionPage")
assert set(CHANNELS) >= set(ONLINE_CHANNELS)
