"""assignment's read API: an agent's queue with its deadlines, a coordinator's view of the division."""
from __future__ import annotations

from flask import current_app, g
from flask_smorest import Blueprint

from shared.http import Problem, field_error, requires
from shared.http.auth import scope_prefix

from . import access, store
from .schemas import AssignmentOut, AssignmentPage, AssignmentQuery

blp = Blueprint("assignments", __name__, url_prefix="/api/v1/assignments",
                description="Who holds which petition, at which level, with which deadlines")


def _ctx():
    return current_app.extensions["daiban"]


@blp.route("", methods=["GET"])
@requires("agent", "coordinator", "admin")
@blp.arguments(AssignmentQuery, location="query")
@blp.response(200, AssignmentPage)
def list_assignments(query):
    """An agent's own queue; a coordinator's or admin's division (filter status=queued for escalations)."""
    principal = g.principal
    filter_ = ({"holder.id": principal.sub} if principal.role == "agent"
               else {"division": {"$regex": f"^{scope_prefix(principal.division)}"}})
    for name in ("status", "level"):
        if query.get(name):
            filter_[name] = query[name]
    return store.list_assignments(_ctx().db, filter_, query)


@blp.route("/<petition_id>", methods=["GET"])
@requires("agent", "coordinator", "admin")
@blp.response(200, AssignmentOut)
def read(petition_id):
    """One assignment with its clocks, notes (internal too), forwards and history."""
    assignment = store.get(_ctx().db, petition_id)
    if assignment is None or not access.may_see(g.principal, assignment):
        raise Problem(404, detail="no such assignment", errors=[field_error("petition_id", "not found")])
    return assignment
