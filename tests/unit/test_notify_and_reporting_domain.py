"""Which notifications an assignment causes, and which counter an event moves on which day."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from services.notify import domain as notify
from services.reporting import domain as reporting
from shared.events import CATALOGUE

ASSIGNED = {"petition_id": "pet-1", "petitioner_ref": "ref_petitioner",
            "agent": {"id": "agt-1", "name": "巴特尔（示例）", "division": "152531100901"}}


def test_an_assignment_notifies_the_petitioner_and_the_agent():
    petitioner, agent = notify.on_petition_assigned(ASSIGNED, "ref_agent", "2025-03-02 10:30")
    assert (petitioner.recipient_ref, petitioner.audience, petitioner.template) == (
        "ref_petitioner", "petitioner", "agent_assigned_to_you")
    assert (agent.recipient_ref, agent.audience, agent.template) == ("ref_agent", "agent", "new_case_for_agent")
    assert petitioner.params == agent.params == {"agent_name": "巴特尔（示例）", "first_contact_due": "2025-03-02 10:30"}


def test_notifications_read_in_chinese_and_english():
    params = {"agent_name": "巴特尔", "first_contact_due": "2025-03-02 10:30"}
    assert notify.render("agent_assigned_to_you", params, "zh") == (
        "您的信访事项已由代办员巴特尔接手，将在2025-03-02 10:30前与您联系。")
    assert notify.render("agent_assigned_to_you", params, "en") == (
        "Agent 巴特尔 has taken on your petition and will contact you by 2025-03-02 10:30.")
    assert "2025-03-02 10:30" in notify.render("new_case_for_agent", params, "en")


def test_a_language_without_a_translation_falls_back_to_chinese():
    params = {"agent_name": "巴特尔", "first_contact_due": "2025-03-02 10:30"}
    assert notify.render("new_case_for_agent", params, "mn") == notify.render("new_case_for_agent", params, "zh")


def test_every_template_has_chinese_and_english_with_the_same_placeholders():
    import string
    for name, texts in notify.TEMPLATES.items():
        fields = {lang: {f for _, f, _, _ in string.Formatter().parse(text) if f} for lang, text in texts.items()}
        assert set(texts) >= {"zh", "en"}, name
        assert fields["zh"] == fields["en"], name


@pytest.mark.parametrize("event_type, counter", [
    ("petition.submitted", "submitted"), ("petition.assigned", "assigned"),
    ("mediation.requested", "mediation_requested")])
def test_each_event_moves_its_counter(event_type, counter):
    assert reporting.counters_for(event_type, {}) == (counter,)


def test_an_event_reporting_does_not_count_moves_nothing():
    assert reporting.counters_for("petition.vanished", {}) == ()


def test_every_event_the_catalogue_sends_to_reporting_has_a_rule():
    assert set(reporting.RULES) == {name for name, kind in CATALOGUE.items() if "reporting" in kind.consumers}


def test_events_are_counted_on_the_local_calendar_day():
    assert reporting.local_day(datetime(2025, 2, 28, 15, 59, tzinfo=timezone.utc), "Asia/Shanghai") == "2025-02-28"
    assert reporting.local_day(datetime(2025, 2, 28, 16, 0, tzinfo=timezone.utc), "Asia/Shanghai") == "2025-03-01"


def test_an_empty_summary_has_every_counter_at_zero():
    assert set(reporting.empty_summary().values()) == {0}
    assert set(reporting.empty_summary()) == set(reporting.COUNTERS)
