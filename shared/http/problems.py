"""Errors as RFC 9457 ``application/problem+json``, with a stable ``type`` per kind of error and the
fields at fault in ``errors`` (``[{"field": "title", "message": "..."}]``).

Every problem leaves through ``response``, which answers in the request's language (``Accept-Language``:
English by default, Chinese when preferred; see ``i18n``) and says which in ``Content-Language``."""
from __future__ import annotations

import logging
from typing import Any, Iterable

from flask import Response, json
from werkzeug.exceptions import HTTPException

from . import i18n

log = logging.getLogger(__name__)

MEDIA_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:daiban:problem:"

# stable kinds; clients switch on these, never on ``title`` or ``detail``
KINDS = {
    400: ("bad-request", "Bad request"),
    401: ("unauthenticated", "Authentication required"),
    403: ("forbidden", "Not allowed"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    409: ("conflict", "Conflict"),
    413: ("payload-too-large", "Request body too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
    422: ("validation-failed", "The request is not valid"),
    429: ("too-many-requests", "Too many requests"),
    500: ("internal-error", "Internal error"),
    503: ("unavailable", "Service unavailable"),
}


class Problem(Exception):
    """Raise anywhere in a request to answer with a problem document."""

    def __init__(self, status: int, kind: str | None = None, detail: str | None = None,
                 errors: Iterable[dict] = (), title: str | None = None, headers: dict | None = None,
                 **extensions: Any):
        default_kind, default_title = KINDS.get(status, ("error", "Error"))
        super().__init__(detail or title or default_title)
        self.status = status
        self.kind = kind or default_kind
        self.title = title or default_title
        self.detail = detail
        self.errors = list(errors)
        self.headers = headers or {}
        self.extensions = extensions

    def to_dict(self, instance: str | None = None) -> dict:
        body = {"type": TYPE_PREFIX + self.kind, "title": self.title, "status": self.status}
        if self.detail:
            body["detail"] = self.detail
        if instance:
            body["instance"] = instance
        if self.errors:
            body["errors"] = self.errors
        body.update(self.extensions)
        return body


def field_error(field: str, message: str) -> dict:
    return {"field": field, "message": message}


def response(problem: Problem, instance: str | None = None, language: str | None = None) -> Response:
    """The problem document, in ``language`` (by default the one the request prefers)."""
    language = language if language in i18n.LANGUAGES else i18n.request_language()
    body = problem.to_dict(instance)
    try:
        body = i18n.localise(body, language)
    except Exception:  # a translation is a courtesy: the problem is answered in English regardless
        log.warning("could not localise a problem document", exc_info=True)
        language = i18n.ENGLISH
    resp = Response(json.dumps(body, ensure_ascii=False), status=problem.status, mimetype=MEDIA_TYPE)
    for key, value in problem.headers.items():
        resp.headers[key] = value
    resp.headers["Content-Language"] = language
    resp.vary.add("Accept-Language")
    return resp


def from_http_exception(error: HTTPException) -> Problem:
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    messages = data.get("messages")
    headers = dict(data.get("headers") or {})
    if isinstance(error, HTTPException) and status == 405 and error.valid_methods:
        headers["Allow"] = ", ".join(sorted(error.valid_methods))
    if messages:
        return _from_parser_messages(status, messages, headers)
    detail = error.description if status != 500 else None
    return Problem(status, detail=detail, headers=headers)


def _from_parser_messages(status: int, messages: dict, headers: dict) -> Problem:
    errors = []
    for location, fields in messages.items():
        errors.extend(flatten(fields, location=location))
    if status == 400 and any(e["message"] == "Invalid JSON body." for e in errors):
        return Problem(400, "malformed-json", "The body is not valid JSON.",
                       errors=[field_error("body", "not valid JSON")], headers=headers)
    return Problem(422 if status == 400 else status, detail="Some fields are not valid.",
                   errors=errors, headers=headers)


def flatten(messages: Any, prefix: str = "", location: str | None = None) -> list[dict]:
    """marshmallow's nested error dict → a flat list of ``{"field", "message"}``."""
    out: list[dict] = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = prefix if key == "_schema" else (f"{prefix}.{key}" if prefix else str(key))
            out.extend(flatten(value, name, location))
    elif isinstance(messages, (list, tuple)):
        for item in messages:
            out.extend(flatten(item, prefix, location))
    else:
        entry = field_error(prefix or "body", str(messages))
        if location and location != "json":
            entry["location"] = location
        out.append(entry)
    return out
