"""assignment's HTTP API: an agent's queue, a coordinator's view of their division."""
from __future__ import annotations

from flask import current_app, g
from flask_smorest import Blueprint

from shared.http import Problem, field_error, requires
from shared.http.auth import scope_prefix

from . import store
from .schemas import AssignmentOut, AssignmentPage, AssignmentQuery

blp = Blueprint("assignments", __name__, url_prefix="/api/v1/assignments",
                description="Who holds which petition, at which level, with which deadline")


def _ctx():
    return current_app.extensions["daiban"]


@blp.route("", methods=["GET"])
@requires("agent", "coordinator", "admin")
@blp.arguments(AssignmentQuery, location="query")
@blp.response(200, AssignmentPage)
def list_assignments(query):
    """An agent sees their own queue; coordinators and admins everything in their division."""
    principal = g.principal
    filter_ = ({"agent_id": principal.sub} if principal.role == "agent"
               else {"division": {"$regex": f"^{scope_prefix(principal.division)}"}})
    if query.get("status"):
        filter_["status"] = query["status"]
    return store.list_assignments(_ctx().db, filter_, query)


@blp.route("/<petition_id>", methods=["GET"])
@requires("agent", "coordinator", "admin")
@blp.response(200, AssignmentOut)
def read(petition_id):
    """One assignment, with the reason its agent was chosen."""
    assignment = store.get(_ctx().db, petition_id)
    principal = g.principal
    visible = assignment is not None and (
        assignment.get("agent_id") == principal.sub if principal.role == "agent"
        else principal.covers(assignment["division"]))
    if not visible:
        raise Problem(404, detail="no such assignment", errors=[field_error("petition_id", "not found")])
    return assignment
