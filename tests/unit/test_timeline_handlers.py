"""intake turns the assignment stream into the petitioner's view: status, fields and timeline, in
order and once."""
from __future__ import annotations

import pytest

from services.intake import domain, handlers, store
from services.intake.progress import STEPS
from services.intake.schemas import PetitionOut
from shared.events import CATALOGUE
from shared.idempotency import SequenceGap

from .petition_stream import AGENT, NOW, VILLAGE, at, context, deliver, event

RECEIVED = ["received", "receipt_notice"]


@pytest.fixture
def intake():
    ctx = context("intake", store.INDEXES)
    dates = domain.statutory_dates(NOW, ctx.settings.timezone)
    store.insert_petition(ctx.db, {
        "_id": "pet-1", "number": "152531-20250301-00001", "status": domain.SUBMITTED, "division": VILLAGE,
        "petitioner_ref": "ref_p", "language": "zh", "received_at": NOW, "idempotency_key": None,
        "deadlines": {"receipt_notice_due": dates.receipt_notice_due.isoformat(),
                      "handling_due": dates.handling_due.isoformat()},
        "assigned_agent": None, "level": None, "timeline": domain.received_entries(NOW, dates)}, [])
    ctx.extras["handlers"] = handlers.build(ctx)
    return ctx


def run(ctx, *events):
    for e in events:
        deliver(ctx.extras["handlers"], e)
    return store.get(ctx.db, "pet-1")


def kinds(petition) -> list[str]:
    return [entry["kind"] for entry in petition["timeline"]][len(RECEIVED):]


def test_an_assignment_shows_the_agent_and_level(intake):
    petition = run(intake, event("petition.assigned", 1))
    assert (petition["status"], petition["assigned_agent"], petition["level"]) == ("assigned", AGENT, "village")
    assert petition["timeline"][-1] == {"kind": "assigned", "at": at(1),
                                        "params": {"agent_name": AGENT["name"], "level": "village"}}


def test_a_queued_petition_waits_at_its_level(intake):
    petition = run(intake, event("assignment.queued", 1, level="township"))
    assert (petition["status"], petition["level"], petition["assigned_agent"]) == ("queued", "township", None)
    assert petition["timeline"][-1] == {"kind": "queued", "at": at(1), "params": {"level": "township"}}


def test_acceptance_sets_the_handling_limit_to_its_local_date(intake):
    petition = run(intake, event("petition.assigned", 1), event("assignment.accepted", 2))
    assert petition["status"] == "accepted"
    assert petition["deadlines"]["handling_due"] == "2025-05-01"
    assert petition["deadlines"]["receipt_notice_due"] == "2025-03-16"
    assert petition["timeline"][-1] == {"kind": "accepted", "at": at(2), "params": {"handling_due": "2025-05-01"}}


@pytest.mark.parametrize("name, overrides, kind, params", [
    ("petition.contacted", {}, "contacted", {"method": "home_visit"}),
    ("petition.verified", {}, "verified", {}),
    ("petition.forwarded", {}, "forwarded", {"department": "多伦县住房和城乡建设局"}),
    ("mediation.requested", {}, "mediation_requested", {"mediation_kind": "three_party"}),
])
def test_work_on_the_petition_puts_it_in_progress(intake, name, overrides, kind, params):
    petition = run(intake, event("petition.assigned", 1), event(name, 2, **overrides))
    assert petition["status"] == "in_progress"
    assert (petition["timeline"][-1]["kind"], petition["timeline"][-1]["params"]) == (kind, params)


def test_a_mediation_request_is_dated_when_it_happened(intake):
    petition = run(intake, event("petition.assigned", 1), event("mediation.requested", 2, occurred_at=at(30)))
    assert petition["timeline"][-1]["at"] == at(30)


@pytest.mark.parametrize("accepted, reply", [(True, "accepted"), (False, "objected")])
def test_a_department_reply_is_shown_and_keeps_the_status(intake, accepted, reply):
    petition = run(intake, event("petition.assigned", 1), event("assignment.accepted", 2),
                   event("petition.department_replied", 3, accepted=accepted))
    assert petition["status"] == "accepted"
    assert petition["timeline"][-1] == {"kind": "department_replied", "at": at(6),
                                        "params": {"department": "多伦县住房和城乡建设局", "reply": reply}}


def test_a_progress_note_is_shown_and_keeps_the_status(intake):
    petition = run(intake, event("petition.assigned", 1), event("petition.progress_noted", 2))
    assert petition["status"] == "assigned"
    assert petition["timeline"][-1] == {"kind": "progress_noted", "at": at(7),
                                        "params": {"note": "施工队下周一更换路灯"}}


def test_an_escalation_moves_the_petition_up_and_frees_it_from_the_agent(intake):
    petition = run(intake, event("petition.assigned", 1), event("assignment.escalated", 2))
    assert (petition["status"], petition["level"], petition["assigned_agent"]) == ("escalated", "township", None)
    assert petition["timeline"][-1] == {"kind": "escalated", "at": at(8), "params": {
        "from_level": "village", "to_level": "township", "reason": "村内协调未果"}}


def test_a_matter_routed_out_carries_the_written_guidance(intake):
    petition = run(intake, event("petition.assigned", 1), event("petition.routed_out", 2))
    assert petition["status"] == "routed_out"
    assert petition["routed_out"] == {"procedure": "arbitration", "organ": "多伦县劳动人事争议仲裁委员会",
                                      "guidance": "请于一年内向仲裁委员会申请劳动仲裁。"}
    assert petition["timeline"][-1]["params"] == {"procedure": "arbitration", "organ": "多伦县劳动人事争议仲裁委员会"}


def test_an_extension_moves_the_handling_limit_and_tells_why(intake):
    extension = event("assignment.extended", 3, occurred_at=at(40))
    petition = run(intake, event("petition.assigned", 1), event("assignment.accepted", 2), extension)
    assert petition["status"] == "accepted"
    assert petition["deadlines"]["handling_due"] == "2025-05-31"
    assert petition["timeline"][-1] == {"kind": "extended", "at": at(40), "params": {
        "days": 30, "reason": "需要等待鉴定结论", "handling_due": "2025-05-31"}}


def test_closure_records_the_written_answer_and_the_level(intake):
    petition = run(intake, event("petition.assigned", 1), event("assignment.escalated", 2),
                   event("petition.closed", 3))
    assert (petition["status"], petition["level"]) == ("closed", "township")
    assert petition["answer"] == {"outcome": "support", "answer": "路灯已于三月十日修复。",
                                  "legal_basis": "《信访工作条例》第三十二条", "closed_at": at(10), "on_time": True,
                                  "review_round": 0}
    assert petition["timeline"][-1] == {"kind": "closed", "at": at(10),
                                        "params": {"level": "township", "outcome": "support"}}


def test_an_overdue_clock_is_shown_with_its_name_and_local_due_time(intake):
    petition = run(intake, event("petition.assigned", 1), event("assignment.overdue", 2))
    assert petition["status"] == "assigned"
    entry = petition["timeline"][-1]
    assert (entry["kind"], entry["params"]) == ("overdue", {"clock": "handling", "due_at": "2025-03-03 00:00"})


@pytest.mark.parametrize("name", ["assignment.declined", "assignment.due_soon"])
def test_internal_steps_stay_off_the_timeline_but_advance_the_stream(intake, name):
    before = run(intake, event("petition.assigned", 1))
    intake.clock = lambda: at(99)
    after = run(intake, event(name, 2))
    assert (after["status"], after["timeline"], after["updated_at"]) == (
        before["status"], before["timeline"], before["updated_at"])
    assert after["streams"]["assignment"] == 2
    assert kinds(run(intake, event("petition.contacted", 3))) == ["assigned", "contacted"]


def test_an_event_ahead_of_its_predecessor_waits_and_applies_after_it(intake):
    run(intake, event("petition.assigned", 1))
    early = event("petition.verified", 3)
    with pytest.raises(SequenceGap):
        run(intake, early)
    assert kinds(store.get(intake.db, "pet-1")) == ["assigned"]
    run(intake, event("petition.contacted", 2))
    petition = run(intake, early)
    assert kinds(petition) == ["assigned", "contacted", "verified"]
    assert petition["streams"]["assignment"] == 3


def test_a_redelivered_event_changes_nothing(intake):
    contacted = event("petition.contacted", 2)
    run(intake, event("petition.assigned", 1), contacted)
    before = store.get(intake.db, "pet-1")
    assert run(intake, contacted) == before
    assert run(intake, event("petition.assigned", 1)) == before


def test_an_event_about_a_petition_not_here_yet_is_retried(intake):
    with pytest.raises(handlers.PetitionNotYetHere):
        run(intake, event("petition.assigned", 1, petition_id="pet-later"))
    with pytest.raises(SequenceGap):
        run(intake, event("petition.contacted", 2, petition_id="pet-later"))


def test_a_whole_journey_reads_in_order(intake):
    names = ["petition.assigned", "assignment.accepted", "petition.contacted", "petition.verified",
             "assignment.escalated", "petition.assigned", "mediation.requested", "petition.closed"]
    petition = run(intake, *(event(name, n) for n, name in enumerate(names, start=1)))
    assert kinds(petition) == ["assigned", "accepted", "contacted", "verified", "escalated", "assigned",
                               "mediation_requested", "closed"]
    assert (petition["status"], petition["level"]) == ("closed", "township")


def test_intake_handles_every_step_of_the_assignment_stream_it_consumes():
    consumed = {name for name, kind in CATALOGUE.items() if "intake" in kind.consumers and kind.producer == "assignment"
                and not name.startswith("agent.")}
    assert set(STEPS) == consumed


def test_the_api_shows_the_answer_and_the_guidance_once_there(intake):
    fresh = PetitionOut().dump(store.get(intake.db, "pet-1"))
    assert (fresh["answer"], fresh["routed_out"]) == (None, None)
    closed = PetitionOut().dump(run(intake, event("petition.assigned", 1), event("petition.closed", 2)))
    assert closed["answer"]["outcome"] == "support"
    assert closed["answer"]["on_time"] is True
    assert closed["answer"]["closed_at"].startswith("2025-03-01T02:10")
