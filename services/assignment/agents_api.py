"""The agent registry for coordinators: register, update, deactivate, list and read agents.

Coordinators and admins act only within their division. Every change is one single-document update
carrying its agent.* event in the agent's outbox; updates name the version they read (If-Match or
``version``) and a stale version answers 409.
"""
from __future__ import annotations

from flask import current_app, g, request
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate

from shared import divisions
from shared.events.envelope import DIVISION_CODE
from shared.events.schemas import AGENT_KINDS, LANGUAGES, SUBJECTS
from shared.http import Problem, field_error, require_scope, requires
from shared.http.auth import scope_prefix
from shared.http.fields import LocalDateTime
from shared.http.idempotency import doc as idempotency_doc
from shared.http.idempotency import fingerprint, idempotency_key, reused, scoped
from shared.http.pagination import page_schema

from . import agents_store as store

blp = Blueprint("agents", __name__, url_prefix="/api/v1/staff/agents",
                description="The agent registry: coordinators register, update and deactivate agents")

LEVEL_BY_LENGTH = {6: "banner", 9: "township", 12: "village"}
ROLES = ("coordinator", "admin")


def _agent_division(code: str) -> None:
    found = divisions.get(code)
    if found is None or found.level not in LEVEL_BY_LENGTH.values():
        raise ValidationError("unknown division: give the code of a village, township or banner")


def _display_name(name: str) -> None:
    if sum(ch.isdigit() for ch in name) >= 6:
        raise ValidationError("a public display name only: no phone or ID numbers")


def _profile_fields(required: bool) -> dict:
    need = {"required": True} if required else {}
    return {
        "kind": fields.String(validate=validate.OneOf(AGENT_KINDS), **need),
        "name": fields.String(validate=[validate.Length(1, 40), _display_name], **need,
                              metadata={"description": "public display name; never a phone or ID number"}),
        "division": fields.String(validate=[DIVISION_CODE, _agent_division], **need,
                                  metadata={"description": "village, township or banner code; sets the level"}),
        "languages": fields.List(fields.String(validate=validate.OneOf(LANGUAGES)),
                                 validate=validate.Length(1, len(LANGUAGES)), **need),
        "capacity": fields.Integer(validate=validate.Range(0, 100), **need,
                                   metadata={"description": "most open cases at once"}),
    }


_SPECIALITIES = {"validate": validate.Length(max=len(SUBJECTS))}
AgentCreate = Schema.from_dict({
    **_profile_fields(True),
    "specialities": fields.List(fields.String(validate=validate.OneOf(SUBJECTS)), load_default=list, **_SPECIALITIES),
    "active": fields.Boolean(load_default=True),
}, name="AgentCreate")
AgentPatch = Schema.from_dict({
    **_profile_fields(False),
    "specialities": fields.List(fields.String(validate=validate.OneOf(SUBJECTS)), **_SPECIALITIES),
    "active": fields.Boolean(),
    "version": fields.Integer(validate=validate.Range(min=1),
                              metadata={"description": "the version read; or send it as If-Match"}),
}, name="AgentPatch")


class Deactivation(Schema):
    reason = fields.String(required=True, validate=validate.Length(1, 200))
    version = fields.Integer(validate=validate.Range(min=1))


class AgentOut(Schema):
    id = fields.String(attribute="_id")
    name = fields.String()
    kind = fields.String()
    division = fields.String()
    level = fields.String()
    languages = fields.List(fields.String())
    specialities = fields.List(fields.String())
    capacity = fields.Integer()
    active = fields.Boolean()
    synthetic = fields.Boolean()
    deactivation_reason = fields.String(allow_none=True)
    version = fields.Integer()
    updated_at = LocalDateTime()


class AgentQuery(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10_000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))
    division = fields.String(validate=DIVISION_CODE, metadata={"description": "this division and below"})
    kind = fields.String(validate=validate.OneOf(AGENT_KINDS))
    active = fields.Boolean()
    language = fields.String(validate=validate.OneOf(LANGUAGES))
    speciality = fields.String(validate=validate.OneOf(SUBJECTS))


AgentPage = page_schema(AgentOut, "AgentPage")


def _ctx():
    return current_app.extensions["daiban"]


def _now():
    now = _ctx().clock()
    return now.replace(microsecond=now.microsecond // 1000 * 1000)  # what BSON keeps


def _answer(agent: dict, status: int = 200, **headers):
    return agent, status, {"ETag": f'"{agent["version"]}"', **headers}


def _distinct(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


@blp.route("", methods=["POST"])
@requires(*ROLES)
@blp.arguments(AgentCreate)
@blp.response(201, AgentOut)
@blp.doc(**idempotency_doc("agent"))
def register(body):
    """Register an agent in the caller's division; emits agent.registered.

    With ``Idempotency-Key`` (the caller's own), the same key and body answer the agent registered
    first (201 with ``Idempotent-Replayed: true``, no second agent or event); the same key with
    another body is refused (422)."""
    key = idempotency_key()
    require_scope(g.principal, body["division"])
    scoped_key = scoped(g.principal.role, g.principal.sub, key) if key is not None else None
    if scoped_key is not None:
        earlier = store.find_by_idempotency_key(_ctx().db, scoped_key)
        if earlier is not None:
            return _replay(earlier, body)
    now = _now()
    agent = {"_id": store.new_agent_id(), **body, "languages": _distinct(body["languages"]),
             "specialities": _distinct(body["specialities"]), "level": LEVEL_BY_LENGTH[len(body["division"])],
             "synthetic": False, "announced": True, "created_at": now, "updated_at": now}
    if scoped_key is not None:
        agent.update(idempotency_key=scoped_key, request_fingerprint=fingerprint(body))
    try:
        agent = store.insert(_ctx().db, agent, [store.profile_event("agent.registered", agent, g.request_id)])
    except store.DuplicateIdempotencyKey:
        return _replay(store.find_by_idempotency_key(_ctx().db, scoped_key), body)
    _ctx().nudge_relay()
    return _answer(agent, 201, Location=_location(agent))


def _replay(earlier: dict, body: dict):
    """The agent an earlier request with this key registered, as it is now; nothing created, nothing emitted."""
    if earlier.get("request_fingerprint") != fingerprint(body):
        raise reused()
    return _answer(earlier, 201, Location=_location(earlier), **{"Idempotent-Replayed": "true"})


def _location(agent: dict) -> str:
    return f"{blp.url_prefix}/{agent['_id']}"


@blp.route("", methods=["GET"])
@requires(*ROLES)
@blp.arguments(AgentQuery, location="query")
@blp.response(200, AgentPage)
def list_agents(query):
    """Agents in the caller's division, filtered by division, kind, state, language and speciality."""
    division = query.pop("division", g.principal.division)
    require_scope(g.principal, division)
    filter_ = {"division": {"$regex": f"^{scope_prefix(division)}"}}
    for name, field in (("kind", "kind"), ("active", "active"), ("language", "languages"),
                        ("speciality", "specialities")):
        if name in query:
            filter_[field] = query[name]
    return store.list_agents(_ctx().db, filter_, query)


@blp.route("/<agent_id>", methods=["GET"])
@requires(*ROLES)
@blp.response(200, AgentOut)
def read(agent_id):
    """One agent; the ETag is its version, to send back as If-Match when updating."""
    return _answer(_agent_in_scope(agent_id))


@blp.route("/<agent_id>", methods=["PATCH"])
@requires(*ROLES)
@blp.arguments(AgentPatch)
@blp.response(200, AgentOut)
def patch(body, agent_id):
    """Change an agent's profile, capacity or state; emits agent.updated."""
    version = _expected_version(body.pop("version", None), required=True)
    agent = _agent_in_scope(agent_id)
    changes = _changes(agent, body)
    if "division" in changes:
        require_scope(g.principal, changes["division"])
    _check_version(agent, version)
    if not changes:
        return _answer(agent)
    changes["updated_at"] = _now()
    event = store.profile_event("agent.updated", {**agent, **changes}, g.request_id)
    return _answer(_applied(store.update(_ctx().db, agent_id, version, changes, [event])))


@blp.route("/<agent_id>/deactivate", methods=["POST"])
@requires(*ROLES)
@blp.arguments(Deactivation)
@blp.response(200, AgentOut)
def deactivate(body, agent_id):
    """The agent takes no more petitions; emits agent.deactivated."""
    version = _expected_version(body.get("version"), required=False)
    agent = _agent_in_scope(agent_id)
    _check_version(agent, version or agent["version"])
    if not agent["active"]:
        raise Problem(409, "already-inactive", "the agent is already inactive",
                      errors=[field_error("agent_id", "already inactive")])
    changes = {"active": False, "deactivation_reason": body["reason"], "updated_at": _now()}
    event = store.deactivated_event(agent, body["reason"], g.request_id)
    return _answer(_applied(store.update(_ctx().db, agent_id, agent["version"], changes, [event])))


def _agent_in_scope(agent_id: str) -> dict:
    agent = store.get(_ctx().db, agent_id)
    if agent is None:
        raise Problem(404, detail="no such agent", errors=[field_error("agent_id", "not found")])
    require_scope(g.principal, agent["division"])
    return agent


def _changes(agent: dict, body: dict) -> dict:
    for key in ("languages", "specialities"):
        if key in body:
            body[key] = _distinct(body[key])
    if "division" in body:
        body["level"] = LEVEL_BY_LENGTH[len(body["division"])]
    changes = {key: value for key, value in body.items() if agent.get(key) != value}
    if changes.get("active") is True:
        changes["deactivation_reason"] = None
    return changes


def _expected_version(in_body: int | None, required: bool) -> int | None:
    header = request.headers.get("If-Match")
    in_header = _parse_if_match(header) if header is not None else None
    if in_header is not None and in_body is not None and in_header != in_body:
        raise Problem(422, detail="If-Match and version disagree",
                      errors=[field_error("version", "differs from If-Match")])
    expected = in_header if in_header is not None else in_body
    if expected is None and required:
        raise Problem(428, "precondition-required", "send the version you read, as If-Match or version",
                      title="Precondition required", errors=[field_error("If-Match", "required")])
    return expected


def _parse_if_match(header: str) -> int:
    value = header.strip().removeprefix("W/").strip('"')
    if not value.isdigit():
        raise Problem(422, detail="If-Match must be the agent's version (its ETag)",
                      errors=[field_error("If-Match", "not a version")])
    return int(value)


def _check_version(agent: dict, expected: int) -> None:
    if agent["version"] != expected:
        raise _conflict(agent["version"])


def _applied(updated: dict | None) -> dict:
    if updated is None:
        raise _conflict(None)
    _ctx().nudge_relay()
    return updated


def _conflict(current: int | None) -> Problem:
    known = {"current_version": current} if current is not None else {}
    return Problem(409, "version-conflict", "the agent changed since you read it; read it again",
                   errors=[field_error("version", "stale")], **known)
