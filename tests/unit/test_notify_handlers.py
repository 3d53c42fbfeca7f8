"""notify tells the petitioner and the holding agent about the steps that concern them, once each."""
from __future__ import annotations

import string

import pytest

from services.notify import domain, handlers, store
from shared.privacy import subject_ref

from .petition_stream import context, deliver, event


@pytest.fixture
def notify():
    ctx = context("notify", store.INDEXES)
    ctx.extras["handlers"] = handlers.build(ctx)
    return ctx


def run(ctx, *events) -> list[dict]:
    for e in events:
        deliver(ctx.extras["handlers"], e)
    return list(ctx.db[store.NOTIFICATIONS].find({}).sort("_id", 1))


def of(ctx, e) -> list[dict]:
    return list(ctx.db[store.NOTIFICATIONS].find({"source_event": e.id}))


@pytest.mark.parametrize("name, template, params", [
    ("petition.forwarded", "petition_forwarded", {"department": "多伦县住房和城乡建设局"}),
    ("assignment.escalated", "petition_escalated", {"to_level": "township", "reason": "村内协调未果"}),
    ("petition.routed_out", "petition_routed_out", {"procedure": "arbitration", "organ": "多伦县劳动人事争议仲裁委员会"}),
    ("petition.closed", "petition_closed_feedback", {"level": "township", "outcome": "support"}),
])
def test_the_petitioner_hears_of_the_steps_that_change_their_case(notify, name, template, params):
    step = event(name, 2)
    run(notify, event("petition.assigned", 1), step)
    [notice] = of(notify, step)
    assert (notice["_id"], notice["recipient_ref"], notice["audience"]) == (f"{step.id}:petitioner", "ref_p",
                                                                            "petitioner")
    assert (notice["template"], notice["params"], notice["petition_id"]) == (template, params, "pet-1")


def test_closure_invites_the_petitioner_to_rate_the_result(notify):
    closed = event("petition.closed", 2)
    run(notify, event("petition.assigned", 1), closed)
    [notice] = of(notify, closed)
    assert "评价" in domain.render(notice["template"], notice["params"], "zh")
    assert "rate the result" in domain.render(notice["template"], notice["params"], "en")


@pytest.mark.parametrize("name, template, local_due", [("assignment.due_soon", "clock_due_soon", "2025-03-01 10:11"),
                                                       ("assignment.overdue", "clock_overdue", "2025-03-03 00:00")])
def test_the_holding_agent_is_warned_about_a_clock_in_local_time(notify, name, template, local_due):
    alert = event(name, 2)
    run(notify, event("petition.assigned", 1), alert)
    [notice] = of(notify, alert)
    assert (notice["_id"], notice["audience"], notice["template"]) == (f"{alert.id}:agent", "agent", template)
    assert notice["recipient_ref"] == subject_ref(notify.settings, "agt-1")
    assert notice["params"] == {"clock": "handling", "due_at": local_due}


def test_an_overdue_clock_names_the_clock_and_the_local_time():
    params = {"clock": "handling", "due_at": "2025-03-03 00:00"}
    assert domain.render("clock_overdue", params, "zh") == "您代办的事项办理期限已于2025-03-03 00:00届满，请尽快处理。"
    assert "handling" in domain.render("clock_overdue", params, "en")


@pytest.mark.parametrize("name", ["assignment.due_soon", "assignment.overdue"])
def test_a_clock_with_no_agent_holding_the_petition_tells_nobody(notify, name):
    assert run(notify, event(name, 1, agent_id=None)) == []


def test_the_petitioner_is_looked_up_from_the_latest_assignment(notify):
    run(notify, event("petition.assigned", 1),
        event("petition.assigned", 3, petitioner_ref="ref_p", agent={"id": "agt-2", "name": "其其格（示例）",
                                                                    "division": "152531100901"}))
    run(notify, event("petition.assigned", 1))  # redelivered late: the reassignment stays
    assert store.recipient(notify.db, "pet-1") == {"_id": "pet-1", "petitioner_ref": "ref_p", "agent_id": "agt-2",
                                                   "sequence": 3}


def test_a_step_before_notify_knows_the_petitioner_is_retried(notify):
    with pytest.raises(handlers.PetitionerNotYetKnown):
        run(notify, event("petition.closed", 2))
    closed = event("petition.closed", 3)
    run(notify, event("petition.assigned", 1), closed)
    assert [n["recipient_ref"] for n in of(notify, closed)] == ["ref_p"]


def test_a_queue_before_any_assignment_still_tells_the_petitioner(notify):
    queued = event("assignment.queued", 1, level="township")
    run(notify, queued)
    [notice] = of(notify, queued)
    assert (notice["recipient_ref"], notice["template"], notice["params"]) == ("ref_p", "petition_queued",
                                                                               {"level": "township"})


def test_a_redelivered_event_adds_nothing(notify):
    assigned, closed = event("petition.assigned", 1), event("petition.closed", 2)
    overdue = event("assignment.overdue", 3)
    once = run(notify, assigned, closed, overdue)
    assert len(once) == 4
    assert run(notify, closed, overdue, assigned, closed) == once


def test_every_template_reads_in_chinese_and_english_with_the_same_placeholders():
    for name, texts in domain.TEMPLATES.items():
        fields = {lang: {f for _, f, _, _ in string.Formatter().parse(texts[lang]) if f} for lang in ("zh", "en")}
        assert fields["zh"] == fields["en"], name


@pytest.mark.parametrize("template, params, zh, en", [
    ("petition_escalated", {"to_level": "township", "reason": "协调未果"}, "乡镇（苏木）", "township level"),
    ("petition_routed_out", {"procedure": "administrative_reconsideration", "organ": "旗人民政府"}, "行政复议",
     "administrative reconsideration"),
    ("petition_closed_feedback", {"level": "village", "outcome": "not_support"}, "不支持", "not supported"),
    ("clock_due_soon", {"clock": "first_contact", "due_at": "2025-03-02 10:00"}, "首次联系", "first contact"),
])
def test_codes_are_named_in_the_readers_language(template, params, zh, en):
    assert zh in domain.render(template, params, "zh")
    assert en in domain.render(template, params, "en")
    assert domain.render(template, params, "mn") == domain.render(template, params, "zh")
