"""Every list endpoint answers ``{"items": [...], "page", "per_page", "total"}``."""
from __future__ import annotations

from marshmallow import Schema, fields, validate


class PageArgs(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10_000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


def page_schema(item_schema: type[Schema], name: str) -> type[Schema]:
    return Schema.from_dict({
        "items": fields.List(fields.Nested(item_schema), required=True),
        "page": fields.Integer(required=True), "per_page": fields.Integer(required=True),
        "total": fields.Integer(required=True),
    }, name=name)


def paginate(collection, filter_: dict, args: dict, sort: list[tuple[str, int]]) -> dict:
    page, per_page = args["page"], args["per_page"]
    items = list(collection.find(filter_).sort(sort).skip((page - 1) * per_page).limit(per_page))
    return {"items": items, "page": page, "per_page": per_page,
            "total": collection.count_documents(filter_)}
