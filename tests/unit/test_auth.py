"""Who a token says the caller is, and which divisions that caller's scope covers."""
from __future__ import annotations

from datetime import timedelta

import jwt
import pytest

from shared import config
from shared.events import utcnow
from shared.http.auth import ALGORITHM, ISSUER, Principal, decode_token, issue_token, scope_prefix
from shared.http.problems import Problem

SETTINGS = config.load({})


@pytest.mark.parametrize("division, prefix", [
    ("152500", "1525"),             # the league
    ("150000", "15"),               # the province
    ("152531", "152531"),           # a banner
    ("152531100", "152531100"),     # a township
    ("152531100901", "152531100901"),  # a village
])
def test_scope_prefix_of_each_level(division, prefix):
    assert scope_prefix(division) == prefix


def test_a_league_principal_covers_every_division_of_the_league_and_nothing_outside():
    league = Principal("u", "reporter", "152500")
    assert league.covers("152500") and league.covers("152531") and league.covers("152531100901")
    assert not league.covers("152900")
    assert not league.covers("150000")


def test_a_banner_principal_covers_its_townships_and_villages_but_not_a_neighbour():
    banner = Principal("u", "coordinator", "152531")
    assert banner.covers("152531100") and banner.covers("152531100901")
    assert not banner.covers("152502001901")
    assert not banner.covers("152500")


def test_a_township_principal_covers_its_villages_only():
    township = Principal("u", "coordinator", "152531100")
    assert township.covers("152531100901")
    assert not township.covers("152531101901")
    assert not township.covers("152531")


def test_a_village_principal_covers_only_its_village():
    village = Principal("u", "agent", "152531100901")
    assert village.covers("152531100901")
    assert not village.covers("152531100902")


def test_an_issued_token_decodes_to_its_principal():
    token = issue_token(SETTINGS, "agt-1", "agent", "152531100901")
    assert decode_token(SETTINGS, token) == Principal("agt-1", "agent", "152531100901")


def _claims(**overrides) -> dict:
    now = utcnow()
    claims = {"sub": "u1", "role": "agent", "division": "152531", "iss": ISSUER, "iat": now,
              "exp": now + timedelta(minutes=5), **overrides}
    return {k: v for k, v in claims.items() if v is not None}


def _assert_unauthenticated(token: str, detail: str):
    with pytest.raises(Problem) as raised:
        decode_token(SETTINGS, token)
    problem = raised.value
    assert problem.status == 401
    assert problem.kind == "unauthenticated"
    assert detail in problem.detail
    assert problem.headers["WWW-Authenticate"].startswith("Bearer")


def test_an_expired_token_is_refused():
    token = jwt.encode(_claims(iat=utcnow() - timedelta(hours=2), exp=utcnow() - timedelta(hours=1)),
                       SETTINGS.secret, algorithm=ALGORITHM)
    _assert_unauthenticated(token, "expired")


def test_a_token_signed_with_another_secret_is_refused():
    token = issue_token(config.load({"DAIBAN_SECRET": "another-secret-of-sufficient-length!"}), "u1", "agent", "152531")
    _assert_unauthenticated(token, "not valid")


def test_a_token_from_another_issuer_is_refused():
    _assert_unauthenticated(jwt.encode(_claims(iss="elsewhere"), SETTINGS.secret, algorithm=ALGORITHM), "not valid")


def test_a_token_without_expiry_is_refused():
    _assert_unauthenticated(jwt.encode(_claims(exp=None), SETTINGS.secret, algorithm=ALGORITHM), "not valid")


def test_a_token_without_a_role_is_refused():
    _assert_unauthenticated(jwt.encode(_claims(role=None), SETTINGS.secret, algorithm=ALGORITHM), "role")


def test_a_token_with_an_unknown_role_is_refused():
    _assert_unauthenticated(jwt.encode(_claims(role="emperor"), SETTINGS.secret, algorithm=ALGORITHM), "role")


@pytest.mark.parametrize("division", [None, "Xilingol", 152531])
def test_a_token_without_a_numeric_division_is_refused(division):
    _assert_unauthenticated(jwt.encode(_claims(division=division), SETTINGS.secret, algorithm=ALGORITHM),
                            "division")


def test_garbage_is_refused():
    _assert_unauthenticated("not.a.token", "not valid")
