"""Bearer JWTs carrying ``sub``, ``role`` and ``division``; every endpoint declares who may call it.

A principal's division is its scope: a township coordinator covers the township and its villages,
a league reporter the whole league.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import timedelta

import jwt
from flask import current_app, g, request

from ..config import Settings
from ..events import utcnow
from .problems import Problem, field_error

ROLES = ("petitioner", "agent", "coordinator", "department", "mediator", "reporter", "admin")
ISSUER = "daiban"
ALGORITHM = "HS256"
STAFF = ("agent", "coordinator", "department", "mediator", "reporter", "admin")


def scope_prefix(division: str) -> str:
    """152500 (a league) → '1525'; 150000 (a province) → '15'; banners, townships, villages as they are."""
    if len(division) == 6:
        if division.endswith("0000"):
            return division[:2]
        if division.endswith("00"):
            return division[:4]
    return division


@dataclass(frozen=True)
class Principal:
    sub: str
    role: str
    division: str

    def covers(self, division: str) -> bool:
        return division.startswith(scope_prefix(self.division))


def issue_token(settings: Settings, sub: str, role: str, division: str, ttl: int | None = None) -> str:
    now = utcnow()
    claims = {"sub": sub, "role": role, "division": division, "iss": ISSUER, "iat": now,
              "exp": now + timedelta(seconds=ttl or settings.token_ttl)}
    return jwt.encode(claims, settings.secret, algorithm=ALGORITHM)


def decode_token(settings: Settings, token: str) -> Principal:
    try:
        claims = jwt.decode(token, settings.secret, algorithms=[ALGORITHM], issuer=ISSUER,
                            options={"require": ["sub", "exp", "iss"]})
    except jwt.ExpiredSignatureError:
        raise _unauthenticated("the token has expired") from None
    except jwt.PyJWTError:
        raise _unauthenticated("the token is not valid") from None
    role, division = claims.get("role"), claims.get("division")
    if role not in ROLES or not isinstance(division, str) or not division.isdigit():
        raise _unauthenticated("the token has no valid role or division")
    return Principal(sub=str(claims["sub"]), role=role, division=division)


def _unauthenticated(detail: str) -> Problem:
    return Problem(401, detail=detail, errors=[field_error("Authorization", detail)],
                   headers={"WWW-Authenticate": 'Bearer realm="daiban"'})


def current_principal(settings: Settings) -> Principal:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _unauthenticated("a bearer token is required")
    return decode_token(settings, token.strip())


def requires(*roles: str):
    """Only callers with one of ``roles`` may call the endpoint; the principal is on ``g.principal``."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {unknown}")

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            principal = current_principal(current_app.extensions["daiban"].settings)
            if principal.role not in roles:
                raise Problem(403, detail=f"role {principal.role!r} may not do this; "
                                          f"allowed: {', '.join(roles)}",
                              errors=[field_error("role", "not allowed")])
            g.principal = principal
            return view(*args, **kwargs)
        wrapper._daiban_roles = roles
        _document(wrapper, roles)
        return wrapper
    return decorator


def public(view):
    """Mark an endpoint as callable without a token (declared, not forgotten)."""
    view._daiban_roles = ("public",)
    return view


def require_scope(principal: Principal, division: str, field: str = "division") -> None:
    if not principal.covers(division):
        raise Problem(403, "out-of-scope", f"division {division} is outside your scope {principal.division}",
                      errors=[field_error(field, "outside your division")])


def _document(view, roles) -> None:
    apidoc = getattr(view, "_apidoc", {})
    docs = apidoc.setdefault("manual_doc", {})
    docs["security"] = [{"bearerAuth": []}]
    docs["x-roles"] = list(roles)
    view._apidoc = apidoc
