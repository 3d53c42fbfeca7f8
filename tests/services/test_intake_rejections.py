"""Every bad request to POST /api/v1/petitions is refused with a problem document that names the
field at fault, and leaves nothing behind: no petition, no event, no serial number used up."""
from __future__ import annotations

from datetime import timedelta

import jwt
import pytest

from shared.events import utcnow
from shared.http.auth import ALGORITHM, ISSUER
from tests.support.services import auth, make_settings

from .helpers import VILLAGE, fields_of, petition_body, problem_of

URL = "/api/v1/petitions"


def petitioner(service):
    return auth(service.settings, "petitioner", "wx-openid-1", VILLAGE)


@pytest.fixture
def refused(intake):
    """``refused(response, status, kind, field)``: the problem is right and intake stored nothing."""
    before = intake.stored()

    def check(response, status: int, kind: str, field: str) -> dict:
        problem = problem_of(response, status, kind)
        assert field in fields_of(problem), problem
        assert intake.stored() == before
        assert sum(before.values()) == 0
        return problem
    return check


def test_malformed_json_is_400_malformed_json(intake, refused):
    response = intake.client.post(URL, data='{"title": "路灯', content_type="application/json",
                                  headers=petitioner(intake))

    refused(response, 400, "malformed-json", "body")


@pytest.mark.parametrize("field, value", [
    ("title", 5), ("description", ["村口", "路灯"]), ("division", 152525100901), ("category", None),
    ("channel", 1), ("language", True), ("preferred_agent_id", 7),
], ids=lambda v: str(v))
def test_a_field_of_the_wrong_type_is_named(intake, refused, field, value):
    response = intake.client.post(URL, json=petition_body(**{field: value}), headers=petitioner(intake))

    refused(response, 422, "validation-failed", field)


@pytest.mark.parametrize("field", ["title", "description", "division", "category"])
def test_each_missing_required_field_is_named(intake, refused, field):
    body = petition_body()
    del body[field]

    response = intake.client.post(URL, json=body, headers=petitioner(intake))

    refused(response, 422, "validation-failed", field)


def test_an_unknown_field_is_refused_not_ignored(intake, refused):
    response = intake.client.post(URL, json=petition_body(petitioner_ref="ref_forged"), headers=petitioner(intake))

    refused(response, 422, "validation-failed", "petitioner_ref")


def test_a_json_array_body_is_refused(intake, refused):
    response = intake.client.post(URL, json=[petition_body()], headers=petitioner(intake))

    refused(response, 422, "validation-failed", "body")


@pytest.mark.parametrize("title", ["灯", "路" * 101], ids=["too-short", "too-long"])
def test_a_title_too_short_or_too_long_is_refused(intake, refused, title):
    response = intake.client.post(URL, json=petition_body(title=title), headers=petitioner(intake))

    refused(response, 422, "validation-failed", "title")


@pytest.mark.parametrize("division", ["152525100", "152531100999", "152525", "152500", "15252510090x"],
                         ids=["real-township", "unknown-village", "banner", "league", "not-digits"])
def test_the_division_must_be_a_known_village(intake, refused, division):
    response = intake.client.post(URL, json=petition_body(division=division), headers=petitioner(intake))

    refused(response, 422, "validation-failed", "division")


@pytest.mark.parametrize("category", ["praise", "Complaint", ""])
def test_the_category_must_be_suggestion_accusation_or_complaint(intake, refused, category):
    response = intake.client.post(URL, json=petition_body(category=category), headers=petitioner(intake))

    refused(response, 422, "validation-failed", "category")


@pytest.mark.parametrize("channel", ["home_visit", "phone", "horseback", "fax"])
def test_the_channel_must_be_an_online_one(intake, refused, channel):
    response = intake.client.post(URL, json=petition_body(channel=channel), headers=petitioner(intake))

    refused(response, 422, "validation-failed", "channel")


def test_a_body_over_the_configured_limit_is_413(make_service):
    small = make_service("intake", make_settings(DAIBAN_MAX_BODY_BYTES="2048"))
    roomy = make_service("intake")
    body = petition_body(description="路灯坏了。" * 700)  # ~10 kB, within the 5000-character field limit

    response = small.client.post(URL, json=body, headers=petitioner(small))

    problem_of(response, 413, "payload-too-large")
    assert sum(small.stored().values()) == 0
    assert roomy.client.post(URL, json=body, headers=petitioner(roomy)).status_code == 201


@pytest.mark.parametrize("content_type, data", [
    ("application/x-www-form-urlencoded", "title=路灯坏了&description=村口路灯坏了&division=152525100901"),
    ("text/plain", '{"title": "路灯坏了"}'),
], ids=["form", "text"])
def test_a_body_that_is_not_json_is_415(intake, refused, content_type, data):
    response = intake.client.post(URL, data=data.encode(), content_type=content_type, headers=petitioner(intake))

    refused(response, 415, "unsupported-media-type", "Content-Type")


def test_no_token_is_401_with_a_bearer_challenge(intake, refused):
    response = intake.client.post(URL, json=petition_body())

    refused(response, 401, "unauthenticated", "Authorization")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def _token(secret: str, **claims) -> str:
    now = utcnow()
    base = {"sub": "wx-openid-1", "role": "petitioner", "division": VILLAGE, "iss": ISSUER, "iat": now,
            "exp": now + timedelta(hours=1)}
    return jwt.encode({**base, **claims}, secret, algorithm=ALGORITHM)


@pytest.mark.parametrize("header", [
    lambda s: "Bearer not-a-jwt",
    lambda s: "Bearer " + _token("another-secret-of-at-least-thirty-two-characters"),
    lambda s: "Bearer " + _token(s.secret, exp=utcnow() - timedelta(seconds=30)),
    lambda s: "Bearer " + _token(s.secret, role="superuser"),
    lambda s: "Bearer " + _token(s.secret, iss="someone-else"),
    lambda s: "Basic " + _token(s.secret),
], ids=["garbage", "wrong-secret", "expired", "unknown-role", "wrong-issuer", "not-bearer"])
def test_a_bad_or_expired_token_is_401(intake, refused, header):
    response = intake.client.post(URL, json=petition_body(), headers={"Authorization": header(intake.settings)})

    refused(response, 401, "unauthenticated", "Authorization")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("role", ["agent", "coordinator", "reporter", "admin"])
def test_only_petitioners_may_submit_online(intake, refused, role):
    response = intake.client.post(URL, json=petition_body(), headers=auth(intake.settings, role, "staff-1", VILLAGE))

    refused(response, 403, "forbidden", "role")
