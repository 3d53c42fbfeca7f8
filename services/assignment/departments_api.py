"""Responsible departments per banner: coordinators of the banner (or above) register them; staff
look them up to forward a matter."""
from __future__ import annotations

from flask import current_app, g
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate

from shared import divisions
from shared.events.envelope import BANNER_CODE
from shared.http import Problem, field_error, require_scope, requires
from shared.http.fields import LocalDateTime
from shared.http.idempotency import doc as idempotency_doc
from shared.http.idempotency import fingerprint, idempotency_key, reused, scoped
from shared.http.pagination import page_schema

from . import departments_store as store

blp = Blueprint("departments", __name__, url_prefix="/api/v1/departments",
                description="Responsible departments (责任部门) per banner, for forwarding")

READERS = ("agent", "coordinator", "department", "mediator", "admin")


def _known_banner(code: str) -> None:
    found = divisions.get(code)
    if found is None or found.level != "banner":
        raise ValidationError("unknown banner: give the 6-digit code of a banner, county or city")


class DepartmentCreate(Schema):
    name = fields.String(required=True, validate=validate.Length(2, 60))
    remit = fields.String(required=True, validate=validate.Length(2, 500),
                          metadata={"description": "what matters it is responsible for"})
    banner = fields.String(required=True, validate=[BANNER_CODE, _known_banner])
    active = fields.Boolean(load_default=True)


class DepartmentOut(Schema):
    id = fields.String(attribute="_id")
    name = fields.String()
    remit = fields.String()
    banner = fields.String()
    active = fields.Boolean()
    created_at = LocalDateTime()


class DepartmentQuery(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10_000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))
    banner = fields.String(required=True, validate=[BANNER_CODE, _known_banner])
    active = fields.Boolean()


DepartmentPage = page_schema(DepartmentOut, "DepartmentPage")


def _ctx():
    return current_app.extensions["daiban"]


@blp.route("", methods=["POST"])
@requires("coordinator", "admin")
@blp.arguments(DepartmentCreate)
@blp.response(201, DepartmentOut)
@blp.doc(**idempotency_doc("department"))
def register(body):
    """Register a department of a banner; only a coordinator or admin of that banner or above.

    With ``Idempotency-Key`` (the caller's own), the same key and body answer the department
    registered first (201 with ``Idempotent-Replayed: true``); the same key with another body is
    refused (422)."""
    key = idempotency_key()
    require_scope(g.principal, body["banner"], "banner")
    scoped_key = scoped(g.principal.role, g.principal.sub, key) if key is not None else None
    if scoped_key is not None:
        earlier = store.find_by_idempotency_key(_ctx().db, scoped_key)
        if earlier is not None:
            return _replay(earlier, body)
    now = _ctx().clock()
    department = {"_id": store.new_department_id(), **body, "version": 1,
                  "created_at": now.replace(microsecond=now.microsecond // 1000 * 1000)}
    if scoped_key is not None:
        department.update(idempotency_key=scoped_key, request_fingerprint=fingerprint(body))
    try:
        store.insert(_ctx().db, department)
    except store.DuplicateIdempotencyKey:
        return _replay(store.find_by_idempotency_key(_ctx().db, scoped_key), body)
    except store.DuplicateName:
        raise Problem(409, "duplicate-department", "the banner already has a department of that name",
                      errors=[field_error("name", "already exists in this banner")]) from None
    return department, 201, {"Location": _location(department)}


def _replay(earlier: dict, body: dict):
    """The department an earlier request with this key registered; nothing created."""
    if earlier.get("request_fingerprint") != fingerprint(body):
        raise reused()
    return earlier, 201, {"Location": _location(earlier), "Idempotent-Replayed": "true"}


def _location(department: dict) -> str:
    return f"{blp.url_prefix}/{department['_id']}"


@blp.route("", methods=["GET"])
@requires(*READERS)
@blp.arguments(DepartmentQuery, location="query")
@blp.response(200, DepartmentPage)
def list_departments(query):
    """The departments of a banner, by name."""
    filter_ = {"banner": query.pop("banner")}
    if "active" in query:
        filter_["active"] = query.pop("active")
    return store.list_departments(_ctx().db, filter_, query)


@blp.route("/<department_id>", methods=["GET"])
@requires(*READERS)
@blp.response(200, DepartmentOut)
def read(department_id):
    """One department."""
    department = store.get(_ctx().db, department_id)
    if department is None:
        raise Problem(404, detail="no such department", errors=[field_error("department_id", "not found")])
    return department
