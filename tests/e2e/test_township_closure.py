"""小事不出村、大事不出镇, end to end: five OS processes behind the gateway, the real RabbitMQ, real HTTP.

A herder of 示例一村 (152525100901, 乌里雅斯太镇, 东乌珠穆沁旗) submits a petition from the mini-program; a
village agent gets it, accepts, contacts and verifies, and escalates it to the township; the township
coordinator takes it and closes it there with a written answer and its legal basis. The petitioner sees
the whole timeline and the answer; the banner's figures count one petition closed at township level."""
from __future__ import annotations

import json

import pytest
import requests

from tests.support.waiting import wait_for

pytestmark = [pytest.mark.slow, pytest.mark.broker]

VILLAGE = "152525100901"
TOWNSHIP = VILLAGE[:9]   # 乌里雅斯太镇
BANNER = VILLAGE[:6]     # 东乌珠穆沁旗
FINDINGS = "核实：两户草场界桩被移动约两百米，有二〇一九年确权图为证。FINDINGS-e2e-5d1c"
ANSWER = "经乡镇组织双方现场核对确权图，责成恢复原界桩，并由嘎查委员会监督执行。"
LEGAL_BASIS = "《中华人民共和国草原法》第十六条；《信访工作条例》第三十二条"


def subsequence(wanted: list[str], kinds: list[str]) -> bool:
    remaining = iter(kinds)
    return all(kind in remaining for kind in wanted)


def test_a_petition_escalated_from_the_village_is_closed_at_township_level_and_counted_there(platform, token):
    base = platform["base"]
    petitioner = token("petitioner", "wx-openid-e2e-township-herder", BANNER)

    created = requests.post(f"{base}/api/v1/petitions", headers=petitioner, timeout=5, json={
        "title": "草场界桩被移动", "description": "邻居把草场界桩往我家草场挪了两百米，协商多次无果，请代办员帮忙。",
        "division": VILLAGE, "category": "complaint"})
    assert created.status_code == 201, created.text
    petition_id = created.json()["id"]

    def petition(when=None):
        body = requests.get(f"{base}/api/v1/petitions/{petition_id}", headers=petitioner, timeout=5).json()
        return body if when is None or when(body) else None

    view = wait_for(lambda: petition(lambda b: b["status"] == "assigned"), timeout=30,
                    what="the petition to be assigned to a village agent")
    agent_ref = view["assigned_agent"]
    assert agent_ref["division"] == VILLAGE
    agent = token("agent", agent_ref["id"], VILLAGE)

    def act(headers, action, body=None):
        response = requests.post(f"{base}/api/v1/assignments/{petition_id}/{action}", headers=headers, json=body,
                                 timeout=5)
        assert response.status_code == 200, f"{action}: {response.status_code} {response.text}"
        return response.json()

    # the village agent: accept, first contact, verification, escalation to the township
    assert act(agent, "accept")["status"] == "accepted"
    act(agent, "contact", {"method": "home_visit"})
    act(agent, "verify", {"findings": FINDINGS})
    escalated = act(agent, "escalate", {"reason": "涉及两个嘎查的草场边界，村级无法化解"})
    assert (escalated["status"], escalated["level"]) == ("queued", "township")

    # the township coordinator sees the escalation, takes it, and closes it at township level
    coordinator = token("coordinator", f"coord-{TOWNSHIP}", TOWNSHIP)
    queue = requests.get(f"{base}/api/v1/assignments", params={"status": "queued"}, headers=coordinator, timeout=5)
    assert queue.status_code == 200, queue.text
    assert [item["petition_id"] for item in queue.json()["items"]] == [petition_id]
    taken = act(coordinator, "take")
    assert (taken["status"], taken["level"], taken["holder"]["kind"]) == ("accepted", "township", "coordinator")
    refused = requests.post(f"{base}/api/v1/assignments/{petition_id}/close", headers=agent, timeout=5,
                            json={"outcome": "support", "answer": ANSWER, "legal_basis": LEGAL_BASIS})
    assert refused.status_code in (403, 404), "the village agent no longer holds the petition"
    closed = act(coordinator, "close", {"outcome": "support", "answer": ANSWER, "legal_basis": LEGAL_BASIS})
    assert closed["status"] == "closed"
    assert closed["answer"] == {"outcome": "support", "answer": ANSWER, "legal_basis": LEGAL_BASIS}

    # the petitioner's view: closed at township level, the whole timeline, the written answer
    final = wait_for(lambda: petition(lambda b: b["status"] == "closed"), timeout=30,
                     what="intake to show the petition closed")
    kinds = [entry["kind"] for entry in final["timeline"]]
    assert subsequence(["received", "assigned", "accepted", "contacted", "verified", "escalated", "closed"], kinds), \
        kinds
    assert kinds[0] == "received" and kinds[-1] == "closed"
    assert final["level"] == "township"
    answer = json.dumps(final["answer"], ensure_ascii=False)
    assert ANSWER in answer and LEGAL_BASIS in answer
    assert "FINDINGS-e2e-5d1c" not in json.dumps(final, ensure_ascii=False)  # findings are internal

    # the banner's figures: one petition closed, at township level
    reporter = token("reporter", "ewq-reporter", BANNER)

    def counted():
        response = requests.get(f"{base}/api/v1/reports/summary", params={"division": BANNER}, headers=reporter,
                                timeout=5)
        body = response.json() if response.status_code == 200 else {}
        return body if body.get("closed") == 1 and body.get("closed_township") == 1 else None

    summary = wait_for(counted, timeout=30, what="the banner summary to count the closure at township level")
    assert (summary["closed_village"], summary["closed_banner"]) == (0, 0)
    assert summary["escalated"] == 1 and summary["escalated_to_banner"] == 0
    assert summary["level"] == "banner" and summary["division"] == BANNER

    log_text = platform["log"].read_text(encoding="utf-8")
    assert "wx-openid-e2e-township-herder" not in log_text
    assert "FINDINGS-e2e-5d1c" not in log_text
