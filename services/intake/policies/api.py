"""``/api/v1/policies``: policy and law lookup (信访法治化政策查询), open to everyone without a token.

``GET /api/v1/policies?q=…`` searches (segmented Chinese, BM25-ranked, best first, each item with its
``score``); without ``q`` — or with a ``q`` that is empty or only spaces — it lists the library in id
order. ``tag`` narrows either. A ``q`` of only punctuation or question words (怎么办？) matches nothing
and answers an empty page. Answers may be cached by browsers and proxies for five minutes.
"""
from __future__ import annotations

from flask import current_app
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from shared.http import Problem, field_error, public
from shared.http.pagination import PageArgs, page_schema

from . import store
from .search import PolicyIndex

CACHE_CONTROL = "public, max-age=300"
Q_MAX = 100
INDEX_KEY = "policy_index"  # ctx.extras[INDEX_KEY] = (library version, PolicyIndex)

blp = Blueprint("policies", __name__, url_prefix="/api/v1/policies",
                description="Policy and law lookup: plain-language summaries of 信访工作条例 and local rules")


class PolicyQuery(PageArgs):
    q = fields.String(load_default=None, validate=validate.Length(max=Q_MAX), metadata={
        "description": f"a question or keywords in Chinese (at most {Q_MAX} characters), e.g. 多久给答复; "
                       "empty or only spaces lists the library instead"})
    tag = fields.String(load_default=None, validate=validate.Length(min=1, max=20),
                        metadata={"description": "only entries with this tag, e.g. 期限, 复查, 代办员"})


class PolicyOut(Schema):
    id = fields.String(required=True)
    title = fields.String(required=True)
    title_en = fields.String(metadata={"description": "a short English title for English clients"})
    source = fields.String(metadata={"description": "the document the entry summarises"})
    issuing_body = fields.String()
    date = fields.String(metadata={"format": "date", "description": "issued or in force from"})
    article = fields.String(metadata={"description": "the article(s) cited, or 相关条款"})
    summary = fields.String(metadata={"description": "a plain-language summary citing its article"})
    tags = fields.List(fields.String())
    score = fields.Float(metadata={"description": "relevance (BM25), only when searching with q"})


PolicyPage = page_schema(PolicyOut, "PolicyPage")


def _ctx():
    return current_app.extensions["daiban"]


def load(ctx) -> None:
    """Start-up: the seed into the store, then this process's index (intake's ``on_start`` calls this)."""
    store.load_seed(ctx.db)
    index(ctx)


def index(ctx) -> PolicyIndex:
    """This process's index, rebuilt when the library's version moved since it was built."""
    version = store.library_version(ctx.db)
    cached = ctx.extras.get(INDEX_KEY)
    if cached is None or cached[0] != version:
        cached = (version, PolicyIndex(store.all_entries(ctx.db)))
        ctx.extras[INDEX_KEY] = cached
    return cached[1]


@blp.route("", methods=["GET"])
@public
@blp.arguments(PolicyQuery, location="query")
@blp.response(200, PolicyPage)
def search_or_list(args):
    """Search the policy library (``q``), or list it; optionally by ``tag``; a page at a time."""
    ctx = _ctx()
    query = (args["q"] or "").strip()
    if not query:
        page = store.list_page(ctx.db, args["tag"], args)
        return {**page, "items": [_present(doc) for doc in page["items"]]}, 200, {"Cache-Control": CACHE_CONTROL}
    library = index(ctx)
    hits = [hit for hit in library.search(query)
            if args["tag"] is None or args["tag"] in library.entries[hit.id].get("tags", ())]
    start = (args["page"] - 1) * args["per_page"]
    items = [_present(library.entries[hit.id], hit.score) for hit in hits[start:start + args["per_page"]]]
    return ({"items": items, "page": args["page"], "per_page": args["per_page"], "total": len(hits)},
            200, {"Cache-Control": CACHE_CONTROL})


@blp.route("/<policy_id>", methods=["GET"])
@public
@blp.response(200, PolicyOut)
def read(policy_id):
    """One entry of the library."""
    doc = store.get(_ctx().db, policy_id)
    if doc is None:
        raise Problem(404, detail="no such policy", errors=[field_error("policy_id", "not found")])
    return _present(doc), 200, {"Cache-Control": CACHE_CONTROL}


def _present(doc: dict, score: float | None = None) -> dict:
    item = {name: doc.get(name) for name in store.FIELDS if name not in ("id", "keywords")}
    item["id"] = doc["_id"]
    if score is not None:
        item["score"] = round(score, 4)
    return item
