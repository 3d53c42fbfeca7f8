"""What intake's API accepts and returns."""
from marshmallow import Schema, fields

from shared.events.schemas import OUTCOMES, PROCEDURES
from shared.http.fields import LocalDateTime
from shared.http.pagination import page_schema



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
    review_round = fields.Integer(dump_default=0, metadata={
        "description": "which answer: 0 the first, 1 the review's (复查), 2 the re-review's (复核, final)"})


class FeedbackOut(Schema):
    """The petitioner's rating of the result (结果反馈); the comment stays with the petitioner."""
    satisfaction = fields.String(metadata={"description": "satisfied 满意, basically_satisfied 基本满意, "
                                                          "dissatisfied 不满意"})
    solved = fields.Boolean(metadata={"description": "the petitioner says it was solved"})
    contacted = fields.Boolean(metadata={"description": "the petitioner says the agent contacted them"})
    rated_at = LocalDateTime()


class ReviewOut(Schema):
    """A request for review (复查, 条例 第三十五条) or re-review (复核, 第三十六条)."""
    kind = fields.String(metadata={"description": "review 复查 or re_review 复核"})
    reason = fields.String()
    requested_at = LocalDateTime()


class MaskedPersonOut(Schema):
    name = fields.String(metadata={"description": "masked, e.g. 王*"})
    phone = fields.String(allow_none=True, metadata={"description": "masked, e.g. 138****5678"})


class ContactOut(Schema):
    name = fields.String()
    phone = fields.String(allow_none=True)
    id_number = fields.String(allow_none=True)


class GroupOut(Schema):
    size = fields.Integer()
    representatives = fields.List(fields.Nested(MaskedPersonOut))


class LocationOut(Schema):
    lat = fields.Float(allow_none=True)
    lon = fields.Float(allow_none=True)
    address = fields.String(allow_none=True)


class EntryOut(Schema):
    by = fields.String(metadata={"description": "the agent who entered it"})
    channel = fields.String()
    place = fields.String()
    note = fields.String(allow_none=True)
    at = LocalDateTime()


class DuplicateLinkOut(Schema):
    id = fields.String()
    number = fields.String()
    status = fields.String()
    similarity = fields.Float()


class PetitionOut(Schema):
    id = fields.String(attribute="_id")
    number = fields.String()
    status = fields.String()
    title = fields.String()
    description = fields.String()
    category = fields.String()
    subject = fields.String()
    channel = fields.String()
    location = fields.Nested(LocationOut, allow_none=True)
    contact = fields.Nested(ContactOut, allow_none=True, metadata={
        "description": "in clear only for the petitioner, the agent holding it and handling staff"})
    contact_masked = fields.Nested(MaskedPersonOut, allow_none=True)
    group = fields.Nested(GroupOut, allow_none=True)
    entry = fields.Nested(EntryOut, allow_none=True, metadata={"description": "offline: who entered it, where, how"})
    possible_duplicate_of = fields.Nested(DuplicateLinkOut, allow_none=True)
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
    final = fields.Boolean(dump_default=False, metadata={
        "description": "re-reviewed and answered: the matter is closed for good (条例 第三十六条)"})
    feedback = fields.Nested(FeedbackOut, allow_none=True, dump_default=None,
                             metadata={"description": "the petitioner's rating, once given"})
    reviews = fields.List(fields.Nested(ReviewOut), dump_default=list,
                          metadata={"description": "reviews and re-reviews asked for, oldest first"})


class OfflinePetitionOut(PetitionOut):
    tracking_code = fields.String(allow_none=True, metadata={
        "description": "查询码: give it to the petitioner with the number; shown only to the entering agent"})


PetitionPage = page_schema(PetitionOut, "PetitionPage")
