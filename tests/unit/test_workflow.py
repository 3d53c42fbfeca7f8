"""The assignment's life as pure transitions: which states allow each step, what each step changes and
which events it emits. No store, no HTTP: a document in, a Step (changes and events) out."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from services.assignment import workflow
from services.assignment.workflow import (ACCEPTED, ASSIGNED, CLOSED, QUEUED, ROUTED_OUT, Policy, WorkflowError)
from shared.events import new_event, validate_data

VILLAGE = "152531100901"  # 示例一村, 大北沟镇 (152531100), 多伦县
TOWNSHIP = VILLAGE[:9]
NOW = datetime(2025, 3, 3, 2, 0, tzinfo=timezone.utc)  # Monday 10:00 in Asia/Shanghai
LATER = NOW + timedelta(hours=2)
POLICY = Policy(zone="Asia/Shanghai", warn_fraction=0.8, first_contact_hours=24, village_closure_days=15)
AGENT = {"id": "agt-1", "name": "巴特尔（示例）", "division": VILLAGE}
OTHER_AGENT = {"id": "agt-2", "name": "其其格（示例）", "division": VILLAGE}
TOWNSHIP_AGENT = {"id": "agt-t", "name": "胡国庆（示例）", "division": TOWNSHIP}
COORDINATOR = {"id": "coord-t", "name": "township coordinator", "division": TOWNSHIP}
DEPARTMENT = {"id": "dep-housing", "name": "多伦县住房和城乡建设局"}
STATES = (QUEUED, ASSIGNED, ACCEPTED, CLOSED, ROUTED_OUT)


def petition(**overrides) -> dict:
    return {"_id": "pet-1", "petition_number": "152531-20250303-00001", "division": VILLAGE, "banner": "152531",
            "category": "complaint", "subject": "land_grassland", "language": "zh", "channel": "mini_program",
            "petitioner_ref": "ref_p", "preferred_agent_id": None, "received_at": NOW, **overrides}


def apply(doc: dict, step: workflow.Step) -> dict:
    """What service.commit stores: the changes, and the stream position moved on by the events."""
    return {**doc, **step.changes, "seq": doc["seq"] + len(step.events)}


def opened() -> dict:
    return workflow.new_assignment(petition(), NOW, POLICY)


def in_state(status: str, level: str = "village") -> dict:
    doc = opened()
    if status == QUEUED:
        return {**doc, "level": level}
    doc = apply(doc, workflow.assign(doc, AGENT, level, "village agent with the lowest load (0/8)", NOW, POLICY))
    if status == ASSIGNED:
        return doc
    doc = apply(doc, workflow.accept(doc, NOW, POLICY))
    if status == ACCEPTED:
        return doc
    if status == CLOSED:
        return apply(doc, workflow.close(doc, "support", "已修复路灯。", "《信访工作条例》第三十二条", NOW))
    return apply(doc, workflow.route_out(doc, "litigation", "多伦县人民法院", "请向法院起诉。", NOW))


def event_types(step: workflow.Step) -> list[str]:
    return [name for name, _ in step.events]


def assert_valid_events(doc: dict, step: workflow.Step) -> None:
    """Every event a step emits is a valid event of the catalogue (as service.commit builds them)."""
    for name, data in step.events:
        event = new_event(name, data, division=doc["division"], correlation_id=doc["_id"])
        validate_data(event)


# --- which states allow which step ------------------------------------------------------------------

TRANSITIONS = {
    "assign": (lambda d: workflow.assign(d, OTHER_AGENT, "village", "reassigned", LATER, POLICY),
               {QUEUED, ASSIGNED, ACCEPTED}),
    "take": (lambda d: workflow.take(d, COORDINATOR, LATER, POLICY), {QUEUED, ASSIGNED, ACCEPTED}),
    "accept": (lambda d: workflow.accept(d, LATER, POLICY), {ASSIGNED}),
    "decline": (lambda d: workflow.decline(d, "over_capacity", LATER), {ASSIGNED}),
    "contact": (lambda d: workflow.contact(d, "phone", LATER), {ACCEPTED}),
    "verify": (lambda d: workflow.verify(d, "路灯确已损坏。", LATER), {ACCEPTED}),
    "forward": (lambda d: workflow.forward(d, DEPARTMENT, "请维修", LATER, POLICY), {ACCEPTED}),
    "note": (lambda d: workflow.note(d, "已联系电力公司。", True, "agt-1", LATER), {QUEUED, ASSIGNED, ACCEPTED}),
    "request_mediation": (lambda d: workflow.request_mediation(d, "people", "", "agt-1", LATER), {ACCEPTED}),
    "escalate": (lambda d: workflow.escalate(d, "村级无法化解", LATER), {ASSIGNED, ACCEPTED}),
    "route_out": (lambda d: workflow.route_out(d, "arbitration", "劳动人事争议仲裁委员会", "请申请仲裁。", LATER),
                  {ASSIGNED, ACCEPTED}),
    "extend": (lambda d: workflow.extend(d, 30, "需要现场勘查", LATER, POLICY), {ACCEPTED}),
    "close": (lambda d: workflow.close(d, "explain", "已解释说明。", "《信访工作条例》第三十二条", LATER), {ACCEPTED}),
    "request_review": (lambda d: workflow.request_review(d, "review", LATER, POLICY), {CLOSED}),
}
ALLOWED = [(name, status) for name, (_, ok) in TRANSITIONS.items() for status in STATES if status in ok]
REFUSED = [(name, status) for name, (_, ok) in TRANSITIONS.items() for status in STATES if status not in ok]


@pytest.mark.parametrize("name, status", ALLOWED)
def test_a_step_is_possible_in_the_states_that_allow_it(name, status):
    doc = in_state(status)
    step = TRANSITIONS[name][0](doc)

    assert step.action.split("+")[0] == name
    assert step.changes
    assert_valid_events(doc, step)


@pytest.mark.parametrize("name, status", REFUSED)
def test_a_step_is_refused_as_an_invalid_transition_in_every_other_state(name, status):
    doc = in_state(status)

    with pytest.raises(WorkflowError) as refused:
        TRANSITIONS[name][0](doc)

    assert refused.value.kind == "invalid-transition"
    assert status in refused.value.detail


# --- opening, assigning, taking ---------------------------------------------------------------------

def test_a_new_assignment_waits_at_village_level_with_the_receipt_notice_running():
    doc = opened()

    assert (doc["status"], doc["level"], doc["holder"], doc["seq"]) == (QUEUED, "village", None, 0)
    assert set(doc["clocks"]) == {"receipt_notice"}
    assert doc["next_check_at"] == doc["clocks"]["receipt_notice"]["warn_at"]


def test_assigning_gives_the_agent_the_petition_with_first_contact_and_village_closure_clocks():
    doc = opened()
    step = workflow.assign(doc, AGENT, "village", "village agent with the lowest load (0/8)", NOW, POLICY)

    assert step.changes["status"] == ASSIGNED
    assert step.changes["holder"] == {"kind": "agent", **AGENT}
    assert step.changes["reason"] == "village agent with the lowest load (0/8)"
    assert step.changes["clocks"]["first_contact"]["due_at"] == NOW + timedelta(hours=24)
    assert step.changes["clocks"]["village_closure"]["due_at"] == NOW + timedelta(days=15)
    assert event_types(step) == ["petition.assigned"]
    data = step.events[0][1]
    assert data["agent"] == AGENT and data["level"] == "village"
    assert data["first_contact_due"] == NOW + timedelta(hours=24)
    assert data["petitioner_ref"] == "ref_p"


def test_assigning_at_township_level_starts_no_village_closure_clock():
    step = workflow.assign(opened(), TOWNSHIP_AGENT, "township", "township agent", NOW, POLICY)

    assert step.changes["level"] == "township"
    assert "village_closure" not in step.changes["clocks"]


def test_a_reassignment_after_first_contact_starts_no_new_first_contact_clock_nor_village_closure():
    doc = in_state(ACCEPTED)
    doc = apply(doc, workflow.contact(doc, "phone", NOW + timedelta(hours=1)))
    before = doc["clocks"]

    step = workflow.assign(doc, OTHER_AGENT, "village", "reassigned", NOW + timedelta(days=2), POLICY)

    assert step.changes["clocks"]["first_contact"] == before["first_contact"]
    assert step.changes["clocks"]["village_closure"] == before["village_closure"]
    assert step.events[0][1]["first_contact_due"] == before["first_contact"]["due_at"]


def test_a_coordinator_who_takes_the_petition_holds_and_accepts_it_in_one_step():
    doc = in_state(QUEUED, level="township")
    step = workflow.take(doc, COORDINATOR, LATER, POLICY)

    assert step.changes["status"] == ACCEPTED
    assert step.changes["holder"] == {"kind": "coordinator", **COORDINATOR}
    assert step.changes["accepted_at"] == LATER
    assert event_types(step) == ["petition.assigned", "assignment.accepted"]
    assert step.events[0][1]["level"] == "township"
    assert step.events[1][1]["agent_id"] == "coord-t"
    assert_valid_events(doc, step)


def test_taking_over_an_accepted_petition_keeps_its_handling_clock_and_acceptance_time():
    doc = in_state(ACCEPTED)

    step = workflow.take(doc, COORDINATOR, NOW + timedelta(days=3), POLICY)

    assert step.changes["clocks"]["handling"] == doc["clocks"]["handling"]
    assert step.changes["accepted_at"] == NOW


# --- the agent's steps ------------------------------------------------------------------------------

def test_accepting_stops_the_receipt_notice_and_starts_the_handling_clock():
    doc = in_state(ASSIGNED)
    step = workflow.accept(doc, LATER, POLICY)

    assert step.changes["status"] == ACCEPTED
    assert step.changes["clocks"]["receipt_notice"]["stopped_at"] == LATER
    assert step.changes["clocks"]["handling"]["started_at"] == LATER
    assert step.events == [("assignment.accepted", {"petition_id": "pet-1", "agent_id": "agt-1",
                                                    "accepted_at": LATER,
                                                    "handling_due": LATER + timedelta(days=60)})]


def test_a_decline_note_is_kept_as_an_internal_note():
    doc = in_state(ASSIGNED)
    step = workflow.decline(doc, "unavailable", LATER, "在外放牧两周")

    assert step.changes["notes"][-1] == {"at": LATER, "by": "agt-1", "text": "在外放牧两周", "public": False}
    assert [name for name, _ in step.events] == ["assignment.declined"]


def test_declining_releases_the_petition_and_remembers_who_declined():
    doc = in_state(ASSIGNED)
    step = workflow.decline(doc, "conflict_of_interest", LATER)

    assert step.changes == {"declined_by": ["agt-1"], "holder": None, "notes": doc["notes"]}
    assert step.events == [("assignment.declined", {"petition_id": "pet-1", "agent_id": "agt-1",
                                                    "reason_code": "conflict_of_interest", "declined_at": LATER})]


def test_first_contact_stops_its_clock_and_is_recorded_only_once():
    doc = in_state(ACCEPTED)
    step = workflow.contact(doc, "home_visit", LATER)
    doc = apply(doc, step)

    assert doc["contacted_at"] == LATER
    assert doc["clocks"]["first_contact"]["stopped_at"] == LATER
    assert step.events[0][1]["method"] == "home_visit"
    with pytest.raises(WorkflowError) as again:
        workflow.contact(doc, "phone", LATER + timedelta(hours=1))
    assert again.value.kind == "already-done"


def test_verification_findings_are_kept_on_the_assignment_and_never_put_in_the_event():
    findings = "邻居占用草场约三十亩，有村委会记录为证。"
    step = workflow.verify(in_state(ACCEPTED), findings, LATER)

    assert step.changes == {"verified_at": LATER, "findings": findings}
    assert event_types(step) == ["petition.verified"]
    assert findings not in repr(step.events)
    assert "findings" not in step.events[0][1]


def test_forwarding_records_the_department_and_starts_its_objection_clock():
    step = workflow.forward(in_state(ACCEPTED), DEPARTMENT, "请维修路灯", LATER, POLICY)

    assert step.changes["forwards"] == [{**DEPARTMENT, "forwarded_at": LATER, "note": "请维修路灯", "reply": None}]
    objection = step.changes["clocks"]["department_objection"]
    assert objection["started_at"] == LATER and objection["due_at"] == step.events[0][1]["objection_due"]
    assert step.events[0][1]["department"] == DEPARTMENT


def test_a_department_reply_answers_the_open_forward_and_stops_the_objection_clock():
    doc = in_state(ACCEPTED)
    doc = apply(doc, workflow.forward(doc, DEPARTMENT, "", LATER, POLICY))
    replied_at = LATER + timedelta(days=1)

    step = workflow.department_reply(doc, DEPARTMENT["id"], False, "不属于本部门职责", replied_at)

    assert step.changes["forwards"][0]["reply"] == {"accepted": False, "text": "不属于本部门职责", "at": replied_at}
    assert step.changes["clocks"]["department_objection"]["stopped_at"] == replied_at
    assert step.events == [("petition.department_replied", {"petition_id": "pet-1", "department": DEPARTMENT,
                                                            "accepted": False, "replied_at": replied_at})]


def test_a_department_reply_without_an_open_forward_to_it_is_refused():
    doc = in_state(ACCEPTED)
    doc = apply(doc, workflow.forward(doc, DEPARTMENT, "", LATER, POLICY))
    doc = apply(doc, workflow.department_reply(doc, DEPARTMENT["id"], True, "同意承办", LATER))

    for department_id in (DEPARTMENT["id"], "dep-never-forwarded"):
        with pytest.raises(WorkflowError) as refused:
            workflow.department_reply(doc, department_id, True, "同意承办", LATER)
        assert (refused.value.kind, refused.value.field) == ("invalid-transition", "department_id")


def test_an_internal_note_emits_nothing_and_a_public_note_reaches_the_timeline():
    doc = in_state(ACCEPTED)

    internal = workflow.note(doc, "当事人情绪激动，注意方式。", False, "agt-1", LATER)
    public = workflow.note(doc, "已与电力公司约定维修时间。", True, "agt-1", LATER)

    assert internal.events == []
    assert internal.changes["notes"] == [{"at": LATER, "by": "agt-1", "text": "当事人情绪激动，注意方式。",
                                          "public": False}]
    assert public.events == [("petition.progress_noted", {"petition_id": "pet-1", "note": "已与电力公司约定维修时间。",
                                                          "noted_at": LATER})]


def test_a_mediation_request_names_its_kind_and_who_asked():
    step = workflow.request_mediation(in_state(ACCEPTED), "three_party", "三方会商", "agt-1", LATER)

    assert step.events == [("mediation.requested", {"petition_id": "pet-1", "requested_by": "agt-1",
                                                    "kind": "three_party", "note": "三方会商"})]


@pytest.mark.parametrize("level, above", [("village", "township"), ("township", "banner"), ("banner", "league")])
def test_escalation_queues_the_petition_one_level_up(level, above):
    doc = in_state(ACCEPTED, level=level)
    step = workflow.escalate(doc, "本级无法化解", LATER)

    assert (step.changes["status"], step.changes["level"], step.changes["holder"]) == (QUEUED, above, None)
    assert step.events == [("assignment.escalated", {"petition_id": "pet-1", "from_level": level, "to_level": above,
                                                     "reason": "本级无法化解", "escalated_at": LATER})]


def test_escalating_from_the_village_stops_the_village_closure_clock():
    step = workflow.escalate(in_state(ACCEPTED), "村级无法化解", LATER)

    assert step.changes["clocks"]["village_closure"]["stopped_at"] == LATER
    assert step.changes["clocks"]["handling"]["stopped_at"] is None


def test_there_is_no_level_above_the_league():
    with pytest.raises(WorkflowError) as refused:
        workflow.escalate(in_state(ACCEPTED, level="league"), "无法化解", LATER)

    assert refused.value.kind == "invalid-transition"


def test_routing_out_leaves_the_petition_track_with_written_guidance_and_stops_every_clock():
    doc = in_state(ACCEPTED)
    step = workflow.route_out(doc, "administrative_reconsideration", "锡林郭勒盟行政公署", "请在六十日内申请行政复议。",
                              LATER)
    after = apply(doc, step)

    assert after["status"] == ROUTED_OUT
    assert after["routed_out"] == {"procedure": "administrative_reconsideration", "organ": "锡林郭勒盟行政公署",
                                   "guidance": "请在六十日内申请行政复议。", "at": LATER}
    assert all(clock["stopped_at"] is not None for clock in after["clocks"].values())
    assert after["next_check_at"] is None
    assert event_types(step) == ["petition.routed_out"]


# --- extension ------------------------------------------------------------------------------------

def test_the_handling_limit_is_extended_once_by_the_days_given_with_the_reason():
    doc = in_state(ACCEPTED)
    step = workflow.extend(doc, 30, "需要现场勘查", LATER, POLICY)

    assert step.changes["extended"] is True
    assert step.changes["clocks"]["handling"]["due_at"] == NOW + timedelta(days=90)
    assert step.events == [("assignment.extended", {"petition_id": "pet-1", "days": 30, "reason": "需要现场勘查",
                                                    "handling_due": NOW + timedelta(days=90)})]


def test_a_second_extension_is_refused_even_when_the_first_was_short():
    doc = in_state(ACCEPTED)
    doc = apply(doc, workflow.extend(doc, 5, "需要现场勘查", LATER, POLICY))

    with pytest.raises(WorkflowError) as refused:
        workflow.extend(doc, 5, "还要再等", LATER, POLICY)

    assert (refused.value.kind, refused.value.field) == ("limit-reached", "days")


@pytest.mark.parametrize("days", [31, 0, -1, 90])
def test_an_extension_outside_1_to_30_days_is_refused(days):
    with pytest.raises(WorkflowError) as refused:
        workflow.extend(in_state(ACCEPTED), days, "理由", LATER, POLICY)

    assert (refused.value.kind, refused.value.field) == ("limit-reached", "days")


def test_no_extension_without_a_running_handling_clock():
    doc = in_state(ACCEPTED)
    doc = {**doc, "clocks": {**doc["clocks"], "handling": {**doc["clocks"]["handling"], "stopped_at": LATER}}}

    with pytest.raises(WorkflowError):
        workflow.extend(doc, 10, "理由", LATER, POLICY)


# --- closing and review ---------------------------------------------------------------------------

def test_closing_records_the_written_answer_and_the_level_and_stops_every_clock():
    doc = in_state(ACCEPTED, level="township")
    step = workflow.close(doc, "support", "经核实，已责成修复。", "《信访工作条例》第三十二条", LATER)
    after = apply(doc, step)

    assert (after["status"], after["closed_level"], after["closed_at"]) == (CLOSED, "township", LATER)
    assert after["answer"] == {"outcome": "support", "answer": "经核实，已责成修复。",
                               "legal_basis": "《信访工作条例》第三十二条"}
    for name, clock in doc["clocks"].items():
        expected = clock["stopped_at"] or LATER  # running clocks stop now, stopped ones keep their time
        assert after["clocks"][name]["stopped_at"] == expected, name
    assert after["next_check_at"] is None
    data = step.events[0][1]
    assert (data["level"], data["outcome"], data["on_time"], data["review_round"]) == ("township", "support", True, 0)


def test_a_petition_closed_after_its_handling_limit_is_not_on_time():
    doc = in_state(ACCEPTED)
    late = NOW + timedelta(days=60, minutes=1)

    assert workflow.close(doc, "explain", "答复", "依据", NOW + timedelta(days=60)).events[0][1]["on_time"] is True
    assert workflow.close(doc, "explain", "答复", "依据", late).events[0][1]["on_time"] is False


def test_a_review_reopens_the_petition_one_level_above_where_it_closed_with_a_30_day_answer_clock():
    doc = in_state(CLOSED)
    step = workflow.request_review(doc, "review", LATER, POLICY)
    after = apply(doc, step)

    assert (after["status"], after["level"], after["review_round"], after["holder"]) == (QUEUED, "township", 1, None)
    assert after["clocks"]["review_answer"]["due_at"] == LATER + timedelta(days=30)
    assert event_types(step) == ["assignment.queued"]
    assert step.events[0][1]["level"] == "township"


def test_a_re_review_follows_a_review_and_a_second_review_or_an_early_re_review_is_refused():
    with pytest.raises(WorkflowError):
        workflow.request_review(in_state(CLOSED), "re_review", LATER, POLICY)

    doc = in_state(CLOSED)
    doc = apply(doc, workflow.request_review(doc, "review", LATER, POLICY))
    doc = apply(doc, workflow.take(doc, COORDINATOR, LATER, POLICY))
    doc = apply(doc, workflow.close(doc, "not_support", "维持原处理意见", "第三十五条", LATER + timedelta(days=10)))
    with pytest.raises(WorkflowError):
        workflow.request_review(doc, "review", LATER + timedelta(days=11), POLICY)

    step = workflow.request_review(doc, "re_review", LATER + timedelta(days=11), POLICY)
    assert apply(doc, step)["level"] == "banner"
    assert apply(doc, step)["review_round"] == 2


def test_a_review_answer_is_on_time_against_the_review_clock_not_the_original_handling_limit():
    doc = in_state(CLOSED)
    requested = NOW + timedelta(days=100)  # long after the original 60 days
    doc = apply(doc, workflow.request_review(doc, "review", requested, POLICY))
    doc = apply(doc, workflow.take(doc, COORDINATOR, requested, POLICY))

    in_time = workflow.close(doc, "explain", "复查意见", "第三十五条", requested + timedelta(days=29))
    late = workflow.close(doc, "explain", "复查意见", "第三十五条", requested + timedelta(days=31))

    assert in_time.events[0][1]["on_time"] is True and in_time.events[0][1]["review_round"] == 1
    assert late.events[0][1]["on_time"] is False


# --- alerts ---------------------------------------------------------------------------------------

def test_an_alert_marks_the_clock_and_names_the_clock_deadline_level_and_agent():
    doc = in_state(ASSIGNED)
    due = doc["clocks"]["first_contact"]["due_at"]

    step = workflow.alert(doc, "first_contact", "due_soon", LATER)

    assert step.changes["clocks"]["first_contact"]["warned"] is True
    assert step.changes["clocks"]["first_contact"]["overdue"] is False
    assert step.events == [("assignment.due_soon", {"petition_id": "pet-1", "clock": "first_contact", "due_at": due,
                                                    "level": "village", "agent_id": "agt-1"})]
    assert_valid_events(doc, step)


def test_an_alert_on_a_queued_petition_names_no_agent():
    step = workflow.alert(opened(), "receipt_notice", "overdue", NOW + timedelta(days=16))

    assert step.events[0][1]["agent_id"] is None
    assert step.changes["clocks"]["receipt_notice"]["overdue"] is True
    assert step.changes["next_check_at"] is None
