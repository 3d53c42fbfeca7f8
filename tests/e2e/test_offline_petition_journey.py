"""An offline petition end to end: five OS processes behind the gateway, the real RabbitMQ, real HTTP.

A mounted agent (马背代办) of 示例一嘎查 enters a herder's petition on a summer pasture; the herder, who has
no account, follows it with the petition number and the tracking code (查询码), sees it assigned, worked
and closed, and gives feedback with the same code; the banner's figures count the rating. The herder's
name, phone and ID number never reach a log line of any service."""
from __future__ import annotations

import pytest
import requests

from tests.support.waiting import wait_for

pytestmark = [pytest.mark.slow, pytest.mark.broker]

VILLAGE = "152525100901"
BANNER = VILLAGE[:6]
HERDER = {"name": "哨兵巴特尔", "phone": "13900007788", "id_number": "15252519800101001X"}


def valid_id(body17: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return body17 + "10X98765432"[sum(int(d) * w for d, w in zip(body17, weights)) % 11]


def test_an_offline_petition_entered_on_horseback_is_tracked_closed_and_rated_with_its_code(platform, token):
    base = platform["base"]
    herder = {**HERDER, "id_number": valid_id(HERDER["id_number"][:17])}
    agent_id = "agt-152525100901-1"
    agent = token("agent", agent_id, VILLAGE)

    entered = requests.post(f"{base}/api/v1/petitions/offline", headers=agent, timeout=5, json={
        "title": "饮水井被邻旗牧户占用", "description": "夏营地三号井被邻旗牧户长期占用，我家牛羊饮水困难，请代办员协调。",
        "division": VILLAGE, "category": "complaint", "subject": "land_grassland", "language": "mn",
        "channel": "horseback", "contact": herder, "entry": {"place": "夏营地三号井"}})
    assert entered.status_code == 201, entered.text
    petition = entered.json()
    number, code = petition["number"], petition["tracking_code"]
    assert petition["channel"] == "horseback" and petition["entry"]["by"] == agent_id
    assert len(code) == 8

    def tracked(**params):
        return requests.get(f"{base}/api/v1/tracking", params={"number": number, "code": code, **params}, timeout=5)

    def entering_agent_sees(status):
        # waiting goes through the entering agent's view: tracking look-ups are rate-limited, as they should be
        body = requests.get(f"{base}/api/v1/petitions/{petition['id']}", headers=agent, timeout=5).json()
        return body if body["status"] == status else None

    wait_for(lambda: entering_agent_sees("assigned"), timeout=30, what="the offline petition to be assigned")
    assigned = tracked().json()
    assert assigned["status"] == "assigned" and assigned["assigned_agent"]["division"] == VILLAGE
    seen_by_code = tracked().text
    assert herder["name"] not in seen_by_code and herder["phone"] not in seen_by_code
    wrong = requests.get(f"{base}/api/v1/tracking", params={"number": number, "code": "23456789"}, timeout=5)
    assert wrong.status_code == 404

    holder = token("agent", assigned["assigned_agent"]["id"], VILLAGE)
    for action, body in (("accept", None), ("contact", {"method": "home_visit"}),
                         ("verify", {"findings": "核实：水井确在本嘎查草场内。"}),
                         ("close", {"outcome": "support", "answer": "经嘎查调解，邻旗牧户同意即日起不再占用三号井。",
                                    "legal_basis": "《中华人民共和国草原法》第十六条"})):
        response = requests.post(f"{base}/api/v1/assignments/{petition['id']}/{action}", headers=holder,
                                 json=body, timeout=5)
        assert response.status_code == 200, (action, response.text)

    wait_for(lambda: entering_agent_sees("closed"), timeout=30, what="the petition to show the closure")
    closed = tracked().json()
    assert closed["status"] == "closed"
    assert closed["answer"]["outcome"] == "support" and closed["level"] == "village"

    rated = requests.post(f"{base}/api/v1/tracking/feedback", timeout=5, json={
        "number": number, "code": code, "satisfaction": "satisfied", "solved": True, "contacted": True})
    assert rated.status_code == 201, rated.text
    again = requests.post(f"{base}/api/v1/tracking/feedback", timeout=5, json={
        "number": number, "code": code, "satisfaction": "dissatisfied", "solved": False, "contacted": False})
    assert again.status_code == 409 and again.json()["type"].endswith("already-rated")

    reporter = token("reporter", "banner-reporter", BANNER)

    def counted():
        body = requests.get(f"{base}/api/v1/reports/summary", params={"division": BANNER}, headers=reporter,
                            timeout=5).json()
        return body if body["rated"] == 1 and body["closed_village"] == 1 else None

    summary = wait_for(counted, timeout=30, what="the banner's figures to count the rating")
    assert summary["satisfied"] == 1 and summary["rates"]["satisfaction_rate"] == 1.0

    log_text = platform["log"].read_text(encoding="utf-8")
    for value in herder.values():
        assert value not in log_text
