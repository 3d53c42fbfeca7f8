"""The agent's workbench and the coordinator's actions: each is one versioned update of the
assignment and the events it causes (the petitioner's timeline is built from them)."""
from __future__ import annotations

from flask import current_app, g, request
from flask_smorest import Blueprint

from shared import divisions
from shared.http import Problem, field_error, requires

from . import access, agents_store, departments_store, service, workflow
from . import schemas as s

blp = Blueprint("workbench", __name__, url_prefix="/api/v1/assignments",
                description="The agent's workbench and the coordinator's actions")

HOLDERS = ("agent", "coordinator", "admin")
UNPROCESSABLE = {"limit-reached", "invalid-agent", "invalid-department"}  # the request, not the state, is wrong


def _ctx():
    return current_app.extensions["daiban"]


def _act(petition_id: str, decide, check=access.require_holder) -> dict:
    """Load, check who acts, decide, store under the version read; map failures to problems."""
    ctx = _ctx()
    try:
        doc = service.load(ctx, petition_id)
    except service.NotFound:
        raise Problem(404, detail="no such assignment", errors=[field_error("petition_id", "not found")]) from None
    if not access.may_see(g.principal, doc) and g.principal.role != "department":
        raise Problem(404, detail="no such assignment", errors=[field_error("petition_id", "not found")])
    check(g.principal, doc)
    _check_if_match(doc)
    now = ctx.clock()
    try:
        step = decide(ctx, doc, now, service.policy_for(ctx.settings, doc["division"]))
        return service.commit(ctx, doc, step, f"{g.principal.role}:{g.principal.sub}", g.request_id)
    except workflow.WorkflowError as exc:
        status = 422 if exc.kind in UNPROCESSABLE else 409
        raise Problem(status, exc.kind, exc.detail, errors=[field_error(exc.field or "status", exc.detail)]) from None
    except service.Conflict:
        raise Problem(409, "conflict", "the assignment was changed by someone else; reload and try again",
                      errors=[field_error("version", "stale")]) from None


def _check_if_match(doc: dict) -> None:
    expected = request.headers.get("If-Match", "").strip('" ')
    if expected and expected != str(doc["version"]):
        raise Problem(409, "conflict", f"you saw version {expected}; it is now {doc['version']}",
                      errors=[field_error("If-Match", "stale")])


def _route(action: str, schema=None, roles=HOLDERS):
    """POST /<petition_id>/<action>, answering the assignment as it is afterwards."""
    def decorator(view):
        wrapped = blp.response(200, s.AssignmentOut)(view)
        if schema is not None:
            wrapped = blp.arguments(schema)(wrapped)
        wrapped = requires(*roles)(wrapped)
        return blp.route(f"/<petition_id>/{action}", methods=["POST"], endpoint=action.replace("-", "_"))(wrapped)
    return decorator


@_route("accept")
def accept(petition_id):
    """Accept the petition: the receipt notice is given and the 60-day handling clock starts."""
    return _act(petition_id, lambda ctx, doc, now, p: workflow.accept(doc, now, p))


@_route("decline", s.DeclineIn, roles=("agent",))
def decline(body, petition_id):
    """Decline with a reason: the petition is matched to another agent or queued for the coordinator."""
    def decide(ctx, doc, now, policy):
        step = workflow.decline(doc, body["reason_code"], now, body["note"])
        after = {**doc, **step.changes}
        return step.then(service.match_step(ctx, after, now, policy))
    return _act(petition_id, decide)


@_route("contact", s.ContactIn)
def contact(body, petition_id):
    """Record the first contact with the petitioner."""
    return _act(petition_id, lambda ctx, doc, now, p: workflow.contact(doc, body["method"], now))


@_route("verify", s.VerifyIn)
def verify(body, petition_id):
    """Record the verification findings (internal)."""
    return _act(petition_id, lambda ctx, doc, now, p: workflow.verify(doc, body["findings"], now))


@_route("forward", s.ForwardIn)
def forward(body, petition_id):
    """Forward the matter to a responsible department (5 working days to object)."""
    def decide(ctx, doc, now, policy):
        department = _department(ctx, body["department_id"], doc)
        return workflow.forward(doc, department, body["note"], now, policy)
    return _act(petition_id, decide)


@_route("department-reply", s.DepartmentReplyIn, roles=HOLDERS + ("department",))
def department_reply(body, petition_id):
    """Record the department's reply: accepted, or objected that it is not its remit."""
    def check(principal, doc):
        if principal.role == "department":
            if principal.sub != body["department_id"]:
                raise Problem(403, "not-holder", "a department may only reply for itself",
                              errors=[field_error("department_id", "not you")])
            return
        access.require_holder(principal, doc)
    return _act(petition_id, lambda ctx, doc, now, p: workflow.department_reply(
        doc, body["department_id"], body["accepted"], body["reply"], now), check)


@_route("notes", s.NoteIn)
def add_note(body, petition_id):
    """A progress note; public notes reach the petitioner's timeline, internal ones never leave."""
    return _act(petition_id, lambda ctx, doc, now, p: workflow.note(
        doc, body["text"], body["public"], g.principal.sub, now))


@_route("mediation-request", s.MediationIn)
def request_mediation(body, petition_id):
    """Ask the mediation service to convene the parties."""
    return _act(petition_id, lambda ctx, doc, now, p: workflow.request_mediation(
        doc, body["kind"], body["note"], g.principal.sub, now))


@_route("escalate", s.EscalateIn)
def escalate(body, petition_id):
    """Not settled at this level: hand it to the level above (village → township → banner)."""
    return _act(petition_id, lambda ctx, doc, now, p: workflow.escalate(doc, body["reason"], now))


@_route("route-out", s.RouteOutIn)
def route_out(body, petition_id):
    """诉访分离: the matter belongs to a legal procedure; give the petitioner written guidance."""
    return _act(petition_id, lambda ctx, doc, now, p: workflow.route_out(
        doc, body["procedure"], body["organ"], body["guidance"], now))


@_route("extend", s.ExtendIn)
def extend(body, petition_id):
    """Extend the handling limit once, by at most 30 days, with a reason the petitioner sees."""
    return _act(petition_id, lambda ctx, doc, now, p: workflow.extend(doc, body["days"], body["reason"], now, p))


@_route("close", s.CloseIn)
def close(body, petition_id):
    """Close with the written answer (outcome, answer, legal basis) at the current level."""
    return _act(petition_id, lambda ctx, doc, now, p: workflow.close(
        doc, body["outcome"], body["answer"], body["legal_basis"], now))


@_route("reassign", s.ReassignIn, roles=("coordinator", "admin"))
def reassign(body, petition_id):
    """A coordinator gives the petition to an agent of the division (e.g. after an escalation)."""
    def decide(ctx, doc, now, policy):
        agent = _agent_for(ctx, body["agent_id"], doc)
        reason = f"reassigned by the coordinator {g.principal.sub}"
        return workflow.assign(doc, agent, doc["level"], reason, now, policy)
    return _act(petition_id, decide, access.require_coordinator)


@_route("take", roles=("coordinator",))
def take(petition_id):
    """A coordinator handles the petition directly."""
    def decide(ctx, doc, now, policy):
        place = divisions.get(g.principal.division)
        me = {"id": g.principal.sub, "name": f"{place.name if place else g.principal.division}协调员",
              "division": g.principal.division}
        return workflow.take(doc, me, now, policy)
    return _act(petition_id, decide, access.require_coordinator)


def _agent_for(ctx, agent_id: str, doc: dict) -> dict:
    agent = agents_store.get(ctx.db, agent_id)
    within = doc["division"][:9] if doc["level"] in ("village", "township") else doc["division"][:6]
    if agent is None or not agent.get("active") or not agent["division"].startswith(within) \
            or not g.principal.covers(agent["division"]):
        raise workflow.WorkflowError("invalid-agent", f"no active agent {agent_id} within {within}", "agent_id")
    return {"id": agent["_id"], "name": agent["name"], "division": agent["division"]}


def _department(ctx, department_id: str, doc: dict) -> dict:
    department = departments_store.get(ctx.db, department_id)
    if department is None or department.get("banner") != doc["division"][:6] or not department.get("active", True):
        raise workflow.WorkflowError("invalid-department", f"no active department {department_id} in this banner",
                                     "department_id")
    return {"id": department["_id"], "name": department["name"]}
