"""GET /api/v1/notifications: each caller sees their own notifications and nobody else's."""
from __future__ import annotations

import re

import pytest

from shared.privacy import subject_ref
from tests.support.services import auth

from .helpers import OTHER_BANNER_VILLAGE, VILLAGE, assigned_event, problem_of

URL = "/api/v1/notifications"
AGENT_1, AGENT_2 = "agt-152525100901-1", "agt-152525100901-2"
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def notify(make_service):
    service = make_service("notify")
    ref = lambda sub: subject_ref(service.settings, sub)  # noqa: E731
    service.deliver(assigned_event(VILLAGE, "pet-a1", AGENT_1, ref("wx-alice")))
    service.deliver(assigned_event(VILLAGE, "pet-b1", AGENT_2, ref("wx-bob")))
    service.deliver(assigned_event(VILLAGE, "pet-a2", AGENT_2, ref("wx-alice")))
    return service


def inbox(service, role, sub, division=VILLAGE, **headers) -> dict:
    response = service.client.get(URL, headers={**auth(service.settings, role, sub, division), **headers})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def petitions_in(page) -> set[str]:
    return {item["petition_id"] for item in page["items"]}


@pytest.mark.parametrize("role, sub, expected, template", [
    ("petitioner", "wx-alice", {"pet-a1", "pet-a2"}, "agent_assigned_to_you"),
    ("petitioner", "wx-bob", {"pet-b1"}, "agent_assigned_to_you"),
    ("agent", AGENT_1, {"pet-a1"}, "new_case_for_agent"),
    ("agent", AGENT_2, {"pet-b1", "pet-a2"}, "new_case_for_agent"),
])
def test_each_caller_sees_only_their_own(notify, role, sub, expected, template):
    page = inbox(notify, role, sub)

    assert petitions_in(page) == expected
    assert page["total"] == len(expected)
    assert {item["template"] for item in page["items"]} == {template}
    assert all(item["channel"] == "in_app" and item["read"] is False for item in page["items"])


def test_someone_with_no_notifications_gets_an_empty_page(notify):
    page = inbox(notify, "petitioner", "wx-carol", OTHER_BANNER_VILLAGE)

    assert page == {"items": [], "page": 1, "per_page": 20, "total": 0}


def test_notifications_are_paginated(notify):
    headers = auth(notify.settings, "petitioner", "wx-alice", VILLAGE)

    pages = [notify.client.get(URL, query_string={"per_page": 1, "page": n}, headers=headers).get_json()
             for n in (1, 2)]

    assert [len(p["items"]) for p in pages] == [1, 1]
    assert {p["total"] for p in pages} == {2}
    assert petitions_in(pages[0]) | petitions_in(pages[1]) == {"pet-a1", "pet-a2"}


def test_messages_are_chinese_by_default_and_english_when_asked(notify):
    chinese = inbox(notify, "agent", AGENT_1)["items"][0]["message"]
    english = inbox(notify, "agent", AGENT_1, **{"Accept-Language": "en"})["items"][0]["message"]

    assert CJK.search(chinese)
    assert english.startswith("You have a new petition to handle")


def test_the_inbox_language_honours_preferences_like_every_other_text(notify):
    preferred_chinese = inbox(notify, "agent", AGENT_1, **{"Accept-Language": "en;q=0.2, zh-CN"})
    english_first = inbox(notify, "agent", AGENT_1, **{"Accept-Language": "fr, en;q=0.8, zh;q=0.5"})

    assert CJK.search(preferred_chinese["items"][0]["message"])
    assert english_first["items"][0]["message"].startswith("You have a new petition to handle")


def test_the_inbox_needs_a_token(notify):
    problem_of(notify.client.get(URL), 401, "unauthenticated")
