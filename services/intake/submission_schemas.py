"""What a submission accepts: online by the petitioner, offline by an agent on their behalf."""
from marshmallow import Schema, ValidationError, fields, validate, validates, validates_schema

from shared import divisions
from shared.events.schemas import CATEGORIES, CHANNELS, LANGUAGES, SUBJECTS

from . import personal
from .domain import ONLINE_CHANNELS

OFFLINE_CHANNELS = tuple(c for c in CHANNELS if c not in ONLINE_CHANNELS)
MAX_REPRESENTATIVES = 5  # a walk-in group names at most five representatives


class PersonIn(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=50))
    phone = fields.String(load_default=None, validate=validate.Length(max=20))
    id_number = fields.String(load_default=None, metadata={"description": "18-character resident ID"})

    @validates("phone")
    def phone_number(self, value, **_):
        if value is not None and not personal.is_phone(value):
            raise ValidationError("not a mobile (11 digits) or landline (0xxx-xxxxxxx) number")

    @validates("id_number")
    def resident_id(self, value, **_):
        if value is not None and not personal.is_id_number(value):
            raise ValidationError("not a valid 18-character resident ID number")


class ContactIn(PersonIn):
    @validates_schema
    def reachable(self, data, **_):
        if not data.get("phone") and not data.get("id_number"):
            raise ValidationError("give a phone number or an ID number", field_name="phone")


class GroupIn(Schema):
    size = fields.Integer(required=True, validate=validate.Range(min=2, max=10000),
                          metadata={"description": "how many people the group speaks for"})
    representatives = fields.List(fields.Nested(PersonIn), required=True,
                                  validate=validate.Length(min=1, max=MAX_REPRESENTATIVES))


class LocationIn(Schema):
    lat = fields.Float(load_default=None, validate=validate.Range(min=-90, max=90))
    lon = fields.Float(load_default=None, validate=validate.Range(min=-180, max=180))
    address = fields.String(load_default=None, validate=validate.Length(max=200))

    @validates_schema
    def both_coordinates(self, data, **_):
        if (data.get("lat") is None) != (data.get("lon") is None):
            raise ValidationError("give both lat and lon, or neither", field_name="lat")


class _PetitionFields(Schema):
    title = fields.String(required=True, validate=validate.Length(min=2, max=100))
    description = fields.String(required=True, validate=validate.Length(min=5, max=5000))
    division = fields.String(required=True, metadata={"description": "12-digit village code where the matter is"})
    category = fields.String(required=True, validate=validate.OneOf(CATEGORIES), metadata={
        "description": "suggestion 建议意见类, accusation 检举控告类, complaint 申诉求决类"})
    subject = fields.String(load_default="other", validate=validate.OneOf(SUBJECTS))
    language = fields.String(load_default="zh", validate=validate.OneOf(LANGUAGES))
    preferred_agent_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))
    location = fields.Nested(LocationIn, load_default=None)
    group = fields.Nested(GroupIn, load_default=None)
    confirm_not_duplicate = fields.Boolean(load_default=False, metadata={
        "description": "file it even though a similar open petition exists"})

    @validates("division")
    def known_village(self, value, **_):
        if not divisions.is_village(value):
            raise ValidationError("unknown village code: give the 12-digit code of the village (嘎查/村/社区)")


class PetitionCreate(_PetitionFields):
    """Online, by the petitioner (their account identifies them; contact details are optional)."""
    channel = fields.String(load_default="mini_program", validate=validate.OneOf(ONLINE_CHANNELS))
    contact = fields.Nested(ContactIn, load_default=None)


class EntryIn(Schema):
    place = fields.String(required=True, validate=validate.Length(min=1, max=100),
                          metadata={"description": "where it was taken: a reception point, a household, a pasture"})
    note = fields.String(load_default="", validate=validate.Length(max=500))


class OfflinePetitionCreate(_PetitionFields):
    """Offline, entered by an agent for a petitioner met in a village, at a reception point, on a patrol
    or on horseback; the petitioner's contact details are required."""
    channel = fields.String(required=True, validate=validate.OneOf(OFFLINE_CHANNELS))
    contact = fields.Nested(ContactIn, required=True)
    entry = fields.Nested(EntryIn, required=True)
