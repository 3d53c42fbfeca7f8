"""marshmallow schemas of each event's ``data``. References only, never personal data in clear."""
from marshmallow import Schema, fields, validate

from .envelope import DIVISION_CODE

CATEGORIES = ("suggestion", "accusation", "complaint")
LEVELS = ("village", "township", "banner", "league")
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
    subject = fields.String(load_default="other", validate=validate.OneOf(
        ("land_grassland", "housing", "labour_wages", "social_security", "infrastructure", "environment",
         "public_order", "other")))
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


# --- vocabulary shared by several services ---------------------------------------------------
SUBJECTS = ("land_grassland", "housing", "labour_wages", "social_security", "infrastructure", "environment",
            "public_order", "other")
AGENT_KINDS = ("village_cadre", "party_member", "grid_worker", "party_delegate", "peoples_deputy", "cppcc_member",
               "legal_worker", "retired_cadre", "volunteer")
OUTCOMES = ("support", "explain", "not_support")  # 支持 / 解释说明 / 不支持 (信访处理意见书)
# 诉访分离: matters that belong to a legal procedure leave the petition track (条例 第二十八、三十一条)
PROCEDURES = ("litigation", "procuratorate", "police", "arbitration", "administrative_reconsideration",
              "administrative_ruling", "licensing_or_penalty", "party_discipline_appeal")
CLOCKS = ("receipt_notice", "first_contact", "handling", "village_closure", "department_objection",
          "review_answer")
CONTACT_METHODS = ("phone", "home_visit", "reception_point", "video", "wechat")
DECLINE_REASONS = ("conflict_of_interest", "over_capacity", "wrong_division", "unavailable", "other")
REVIEW_KINDS = ("review", "re_review")  # 复查 / 复核


def _text(maximum: int, required: bool = True):
    return fields.String(required=required, validate=validate.Length(min=1, max=maximum))


# --- agents (assignment's directory; intake keeps a public copy) -------------------------------
class AgentProfile(Schema):
    agent_id = fields.String(required=True)
    name = fields.String(required=True, metadata={"description": "public display name; never phone or ID"})
    kind = fields.String(required=True, validate=validate.OneOf(AGENT_KINDS))
    division = fields.String(required=True, validate=DIVISION_CODE)
    level = fields.String(required=True, validate=validate.OneOf(LEVELS))
    languages = fields.List(fields.String(validate=validate.OneOf(LANGUAGES)), required=True)
    specialities = fields.List(fields.String(validate=validate.OneOf(SUBJECTS)), required=True)
    capacity = fields.Integer(required=True, validate=validate.Range(min=0, max=1000))
    active = fields.Boolean(required=True)
    synthetic = fields.Boolean(load_default=False)


class AgentDeactivated(Schema):
    agent_id = fields.String(required=True)
    reason = fields.String(load_default="", validate=validate.Length(max=200))


# --- the assignment's life (producer: assignment; correlation id: the petition) ---------------
class AssignmentQueued(Schema):
    petition_id = fields.String(required=True)
    petitioner_ref = fields.String(required=True)
    level = fields.String(required=True, validate=validate.OneOf(LEVELS))
    reason = fields.String(required=True)
    queued_at = fields.AwareDateTime(required=True)


class AssignmentAccepted(Schema):
    petition_id = fields.String(required=True)
    agent_id = fields.String(required=True)
    accepted_at = fields.AwareDateTime(required=True)
    handling_due = fields.AwareDateTime(required=True, metadata={"description": "60 days from acceptance (条例 34)"})


class AssignmentDeclined(Schema):
    petition_id = fields.String(required=True)
    agent_id = fields.String(required=True)
    reason_code = fields.String(required=True, validate=validate.OneOf(DECLINE_REASONS))
    declined_at = fields.AwareDateTime(required=True)


class PetitionContacted(Schema):
    petition_id = fields.String(required=True)
    agent_id = fields.String(required=True)
    method = fields.String(required=True, validate=validate.OneOf(CONTACT_METHODS))
    contacted_at = fields.AwareDateTime(required=True)


class PetitionVerified(Schema):
    petition_id = fields.String(required=True)
    agent_id = fields.String(required=True)
    verified_at = fields.AwareDateTime(required=True)


class DepartmentRef(Schema):
    id = fields.String(required=True)
    name = fields.String(required=True)


class PetitionForwarded(Schema):
    petition_id = fields.String(required=True)
    department = fields.Nested(DepartmentRef, required=True)
    forwarded_at = fields.AwareDateTime(required=True)
    objection_due = fields.AwareDateTime(required=True, metadata={"description": "5 working days (条例 23)"})


class DepartmentReplied(Schema):
    petition_id = fields.String(required=True)
    department = fields.Nested(DepartmentRef, required=True)
    accepted = fields.Boolean(required=True, metadata={"description": "false: objects that it is not its remit"})
    replied_at = fields.AwareDateTime(required=True)


class ProgressNoted(Schema):
    petition_id = fields.String(required=True)
    note = _text(500)
    noted_at = fields.AwareDateTime(required=True)


class AssignmentEscalated(Schema):
    petition_id = fields.String(required=True)
    from_level = fields.String(required=True, validate=validate.OneOf(LEVELS))
    to_level = fields.String(required=True, validate=validate.OneOf(LEVELS))
    reason = _text(500)
    escalated_at = fields.AwareDateTime(required=True)


class PetitionRoutedOut(Schema):
    petition_id = fields.String(required=True)
    procedure = fields.String(required=True, validate=validate.OneOf(PROCEDURES))
    organ = _text(100)
    guidance = _text(2000)
    routed_at = fields.AwareDateTime(required=True)


class AssignmentExtended(Schema):
    petition_id = fields.String(required=True)
    days = fields.Integer(required=True, validate=validate.Range(min=1, max=30))
    reason = _text(500)
    handling_due = fields.AwareDateTime(required=True)


class PetitionClosed(Schema):
    petition_id = fields.String(required=True)
    outcome = fields.String(required=True, validate=validate.OneOf(OUTCOMES))
    level = fields.String(required=True, validate=validate.OneOf(LEVELS))
    answer = _text(5000)
    legal_basis = _text(500)
    closed_at = fields.AwareDateTime(required=True)
    on_time = fields.Boolean(required=True)
    review_round = fields.Integer(load_default=0, validate=validate.Range(min=0, max=2),
                                  metadata={"description": "0 first answer, 1 review (复查), 2 re-review (复核)"})


class ClockAlert(Schema):
    petition_id = fields.String(required=True)
    clock = fields.String(required=True, validate=validate.OneOf(CLOCKS))
    due_at = fields.AwareDateTime(required=True)
    level = fields.String(required=True, validate=validate.OneOf(LEVELS))
    agent_id = fields.String(required=True, allow_none=True)


class ReviewRequested(Schema):
    petition_id = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(REVIEW_KINDS))
    requested_at = fields.AwareDateTime(required=True)


SATISFACTION = ("satisfied", "basically_satisfied", "dissatisfied")  # 满意 / 基本满意 / 不满意


class PetitionRated(Schema):
    petition_id = fields.String(required=True)
    agent_id = fields.String(required=True, allow_none=True, metadata={"description": "who held it at closure"})
    level = fields.String(required=True, allow_none=True, validate=validate.OneOf(LEVELS))
    satisfaction = fields.String(required=True, validate=validate.OneOf(SATISFACTION))
    solved = fields.Boolean(required=True, metadata={"description": "the petitioner says it was solved"})
    contacted = fields.Boolean(required=True, metadata={"description": "the petitioner says they were contacted"})
    rated_at = fields.AwareDateTime(required=True)
