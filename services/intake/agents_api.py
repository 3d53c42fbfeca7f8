"""Choosing one's own agent: ``GET /api/v1/agents`` lists the agents a petitioner may pick in a
division (a village shows its own agents first, then its township's), with their kind, languages,
specialities, open cases against capacity and rating; ``GET /api/v1/agents/{id}`` reads one.

Served from intake's copy of the agent directory and intake's own petitions (see ``agent_choice``)."""
from __future__ import annotations

from flask import current_app, request
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate

from shared import divisions
from shared.events.schemas import AGENT_KINDS, LANGUAGES, SUBJECTS
from shared.http import Problem, field_error, requires
from shared.http.auth import STAFF
from shared.http.pagination import page_schema

from . import agent_choice, directory_store, messages

blp = Blueprint("agent_choice", __name__, url_prefix="/api/v1/agents",
                description="Choose one's own agent: agents by division, language and speciality")

ROLES = ("petitioner", *STAFF)

KIND_LABELS = {
    "zh": {"village_cadre": "村“两委”成员", "party_member": "老党员", "grid_worker": "网格员",
           "party_delegate": "党代表", "peoples_deputy": "人大代表", "cppcc_member": "政协委员",
           "legal_worker": "法律工作者", "retired_cadre": "退休干部", "volunteer": "志愿者"},
    "en": {"village_cadre": "village committee member", "party_member": "veteran party member",
           "grid_worker": "grid worker", "party_delegate": "party-congress delegate",
           "peoples_deputy": "people's-congress deputy", "cppcc_member": "CPPCC member",
           "legal_worker": "legal worker", "retired_cadre": "retired cadre", "volunteer": "volunteer"},
}


def _known_scope(code: str) -> None:
    found = divisions.get(code)
    if found is None or found.level not in agent_choice.SCOPES:
        raise ValidationError("unknown division: give the code of a village, township or banner")


class AgentChoiceQuery(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10_000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))
    division = fields.String(required=True, validate=_known_scope, metadata={
        "description": "a village (its own agents, then its township's), a township (its own and its "
                       "villages') or a banner (all of its agents)"})
    language = fields.String(validate=validate.OneOf(LANGUAGES), metadata={"description": "speaks this language"})
    speciality = fields.String(validate=validate.OneOf(SUBJECTS))
    kind = fields.String(validate=validate.OneOf(AGENT_KINDS))
    include_inactive = fields.Boolean(load_default=False, metadata={"description": "also agents no longer active"})


class RatingOut(Schema):
    count = fields.Integer(metadata={"description": "petitions held with the petitioner's feedback"})
    satisfied = fields.Integer()
    basically_satisfied = fields.Integer()
    dissatisfied = fields.Integer()
    score = fields.Float(allow_none=True, metadata={
        "description": "(satisfied + weight × basically satisfied) ÷ count; weight is the "
                       "basic_satisfaction_weight setting (0.9); null without feedback"})


class AgentChoiceOut(Schema):
    id = fields.String(attribute="_id")
    name = fields.String(metadata={"description": "public display name"})
    kind = fields.String(metadata={"description": ", ".join(AGENT_KINDS)})
    kind_label = fields.String(metadata={"description": "the kind in the reader's language (Accept-Language)"})
    division = fields.String()
    division_name = fields.String(allow_none=True)
    level = fields.String()
    languages = fields.List(fields.String())
    specialities = fields.List(fields.String())
    capacity = fields.Integer(metadata={"description": "most open cases at once"})
    open_cases = fields.Integer(metadata={"description": "petitions held, not closed or routed out"})
    has_room = fields.Boolean(metadata={"description": "open_cases < capacity"})
    rating = fields.Nested(RatingOut)
    active = fields.Boolean()
    synthetic = fields.Boolean(metadata={"description": "demo data, not a real person"})


AgentChoicePage = page_schema(AgentChoiceOut, "AgentChoicePage")


def _ctx():
    return current_app.extensions["daiban"]


@blp.route("", methods=["GET"])
@requires(*ROLES)
@blp.arguments(AgentChoiceQuery, location="query")
@blp.response(200, AgentChoicePage)
def list_agents(query):
    """The agents one may choose in a division: village agents first, then township (then banner);
    those with room before those without; better rated first; then by id."""
    ctx = _ctx()
    filter_ = agent_choice.scope_filter(query["division"])
    if not query["include_inactive"]:
        filter_["active"] = True
    for name, field in (("kind", "kind"), ("language", "languages"), ("speciality", "specialities")):
        if name in query:
            filter_[field] = query[name]
    agents = agent_choice.with_load_and_rating(ctx.db, agent_choice.candidates(ctx.db, filter_),
                                               ctx.settings.basic_satisfaction_weight)
    agents.sort(key=agent_choice.order_key)
    page, per_page = query["page"], query["per_page"]
    start = (page - 1) * per_page
    language = _language()
    return {"items": [_present(agent, language) for agent in agents[start:start + per_page]],
            "page": page, "per_page": per_page, "total": len(agents)}


@blp.route("/<agent_id>", methods=["GET"])
@requires(*ROLES)
@blp.response(200, AgentChoiceOut)
def read(agent_id):
    """One agent's public profile, load and rating (an agent no longer active says so)."""
    ctx = _ctx()
    agent = directory_store.get(ctx.db, agent_id)
    if agent is None:
        raise Problem(404, detail="no such agent", errors=[field_error("agent_id", "not found")])
    [agent] = agent_choice.with_load_and_rating(ctx.db, [agent], ctx.settings.basic_satisfaction_weight)
    return _present(agent, _language())


def _language() -> str:
    return messages.language_of(request.headers.get("Accept-Language"), "zh")


def _present(agent: dict, language: str) -> dict:
    division = divisions.get(agent["division"])
    return {**agent, "kind_label": KIND_LABELS[language].get(agent["kind"], agent["kind"]),
            "division_name": division.name if division else None}
