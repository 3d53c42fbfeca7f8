"""The statutory and local clocks: their limits (条例 22, 23, 34, 35, 36 and the banners' own service
levels), working days in local time, when the scheduler must look next, and which alerts are due."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from services.assignment import clocks, service, workflow
from services.assignment.workflow import Policy, WorkflowError
from shared import config

SHANGHAI = ZoneInfo("Asia/Shanghai")
VILLAGE = "152531100901"
NOW = datetime(2025, 3, 3, 2, 0, tzinfo=timezone.utc)  # Monday 2025-03-03 10:00 in Asia/Shanghai
POLICY = Policy(zone="Asia/Shanghai", warn_fraction=0.8, first_contact_hours=24, village_closure_days=15)
AGENT = {"id": "agt-1", "name": "巴特尔（示例）", "division": VILLAGE}
DEPARTMENT = {"id": "dep-1", "name": "多伦县自然资源局"}


def local(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def petition(division: str = VILLAGE, received_at: datetime = NOW) -> dict:
    return {"_id": "pet-1", "petition_number": f"{division[:6]}-20250303-00001", "division": division,
            "banner": division[:6], "category": "complaint", "subject": "other", "language": "zh",
            "channel": "web", "petitioner_ref": "ref_p", "preferred_agent_id": None, "received_at": received_at}


def apply(doc: dict, step: workflow.Step) -> dict:
    return {**doc, **step.changes, "seq": doc["seq"] + len(step.events)}


def accepted(at: datetime = NOW, policy: Policy = POLICY) -> dict:
    doc = workflow.new_assignment(petition(), NOW, policy)
    doc = apply(doc, workflow.assign(doc, AGENT, "village", "village agent", NOW, policy))
    return apply(doc, workflow.accept(doc, at, policy))


def clock(started: datetime, due: datetime, **state) -> dict:
    return {**clocks.start(started, due, 0.8), **state}


# --- the statutory limits --------------------------------------------------------------------------

def test_the_receipt_notice_is_due_15_days_from_receipt_not_from_when_the_assignment_opened():
    received = NOW - timedelta(days=2)
    doc = workflow.new_assignment(petition(received_at=received), NOW, POLICY)

    notice = doc["clocks"]["receipt_notice"]
    assert notice["started_at"] == received
    assert notice["due_at"] == received + timedelta(days=15)


def test_handling_is_due_60_days_from_acceptance():
    accepted_at = NOW + timedelta(days=3, hours=5)

    handling = accepted(at=accepted_at)["clocks"]["handling"]

    assert handling["started_at"] == accepted_at
    assert handling["due_at"] == accepted_at + timedelta(days=60)


@pytest.mark.parametrize("days", [1, 17, 30])
def test_one_extension_of_up_to_30_days_moves_the_handling_limit(days):
    doc = accepted()

    after = apply(doc, workflow.extend(doc, days, "需要补充鉴定材料", NOW + timedelta(days=50), POLICY))

    assert after["clocks"]["handling"]["due_at"] == NOW + timedelta(days=60 + days)
    assert after["clocks"]["handling"]["started_at"] == NOW


def test_31_days_of_extension_are_refused_and_the_limit_stays():
    doc = accepted()

    with pytest.raises(WorkflowError) as refused:
        workflow.extend(doc, 31, "理由", NOW, POLICY)

    assert refused.value.kind == "limit-reached"
    assert doc["clocks"]["handling"]["due_at"] == NOW + timedelta(days=60)


def test_a_second_extension_is_refused():
    doc = accepted()
    doc = apply(doc, workflow.extend(doc, 10, "理由", NOW, POLICY))

    with pytest.raises(WorkflowError) as refused:
        workflow.extend(doc, 10, "再延一次", NOW, POLICY)

    assert refused.value.kind == "limit-reached"
    assert doc["clocks"]["handling"]["due_at"] == NOW + timedelta(days=70)


def test_an_extension_rearms_the_warning_for_the_new_deadline():
    warned = clock(NOW, NOW + timedelta(days=60), warned=True)

    extended = clocks.extend(warned, 30, 0.8)

    assert extended["due_at"] == NOW + timedelta(days=90)
    assert extended["warn_at"] == NOW + timedelta(days=72)
    assert extended["warned"] is False
    assert clocks.pending_alerts({"handling": extended}, NOW + timedelta(days=61)) == []
    assert clocks.pending_alerts({"handling": extended}, NOW + timedelta(days=72)) == [("handling", "due_soon")]


def test_the_review_answer_is_due_30_days_from_the_request():
    doc = accepted()
    doc = apply(doc, workflow.close(doc, "explain", "答复", "依据", NOW + timedelta(days=20)))
    requested = NOW + timedelta(days=40)

    after = apply(doc, workflow.request_review(doc, "review", requested, POLICY))

    assert after["clocks"]["review_answer"]["started_at"] == requested
    assert after["clocks"]["review_answer"]["due_at"] == requested + timedelta(days=30)
    assert after["next_check_at"] == requested + timedelta(days=24)


# --- working days for the department's objection (条例 23) -------------------------------------------

@pytest.mark.parametrize("start, due", [
    (local(2025, 3, 6, 10, 0), local(2025, 3, 13, 10, 0)),   # Thursday → the next Thursday, over a weekend
    (local(2025, 3, 7, 16, 0), local(2025, 3, 14, 16, 0)),   # Friday → the next Friday
    (local(2025, 3, 8, 1, 0), local(2025, 3, 14, 1, 0)),     # Saturday → Monday..Friday
    (local(2025, 3, 9, 12, 0), local(2025, 3, 14, 12, 0)),   # Sunday → Monday..Friday
    (local(2025, 3, 3, 9, 0), local(2025, 3, 10, 9, 0)),     # Monday → the next Monday
])
def test_five_working_days_skip_the_weekend(start, due):
    assert clocks.add_working_days(start, 5, "Asia/Shanghai") == due


def test_working_days_count_in_local_time_not_utc():
    # Friday 17:00 UTC is already Saturday 01:00 in Asia/Shanghai: the weekend has begun there
    friday_utc = datetime(2025, 3, 7, 17, 0, tzinfo=timezone.utc)

    due = clocks.add_working_days(friday_utc, 5, "Asia/Shanghai")

    assert due == local(2025, 3, 14, 1, 0)
    assert due.utcoffset() == timedelta(hours=8)
    assert due != datetime(2025, 3, 14, 17, 0, tzinfo=timezone.utc)  # what counting in UTC would give


def test_a_forward_on_thursday_gives_the_department_until_the_next_thursday_to_object():
    doc = accepted()
    thursday = local(2025, 3, 6, 15, 30).astimezone(timezone.utc)

    step = workflow.forward(doc, DEPARTMENT, "", thursday, POLICY)

    assert step.changes["clocks"]["department_objection"]["due_at"] == local(2025, 3, 13, 15, 30)
    assert step.events[0][1]["objection_due"] == local(2025, 3, 13, 15, 30)


# --- local service levels (settings, per banner) ----------------------------------------------------

def test_first_contact_and_village_closure_come_from_the_settings():
    settings = config.load({"DAIBAN_FIRST_CONTACT_HOURS": "48", "DAIBAN_VILLAGE_CLOSURE_DAYS": "20",
                            "DAIBAN_DUE_SOON_FRACTION": "0.5", "DAIBAN_TIMEZONE": "Asia/Urumqi"})
    policy = service.policy_for(settings, VILLAGE)
    doc = workflow.new_assignment(petition(), NOW, policy)

    assigned = apply(doc, workflow.assign(doc, AGENT, "village", "village agent", NOW, policy))

    assert policy == Policy(zone="Asia/Urumqi", warn_fraction=0.5, first_contact_hours=48, village_closure_days=20)
    assert assigned["clocks"]["first_contact"]["due_at"] == NOW + timedelta(hours=48)
    assert assigned["clocks"]["first_contact"]["warn_at"] == NOW + timedelta(hours=24)
    assert assigned["clocks"]["village_closure"]["due_at"] == NOW + timedelta(days=20)


def local_levels(settings, division: str) -> tuple[int, int]:
    policy = service.policy_for(settings, division)
    return policy.first_contact_hours, policy.village_closure_days


def test_a_banners_own_service_levels_apply_to_its_petitions_only():
    slas = {"152531": {"first_contact_hours": 12, "village_closure_days": 10}, "152525": {"first_contact_hours": 6}}
    settings = config.load({"DAIBAN_LOCAL_SLAS": json.dumps(slas)})

    assert local_levels(settings, "152531100901") == (12, 10)
    assert local_levels(settings, "152525100901") == (6, 15)   # the default fills the gap
    assert local_levels(settings, "152502001901") == (24, 15)  # a banner without its own levels

    policy = service.policy_for(settings, VILLAGE)
    doc = workflow.new_assignment(petition(), NOW, policy)
    assigned = apply(doc, workflow.assign(doc, AGENT, "village", "village agent", NOW, policy))
    assert assigned["clocks"]["first_contact"]["due_at"] == NOW + timedelta(hours=12)
    assert assigned["clocks"]["village_closure"]["due_at"] == NOW + timedelta(days=10)


def test_the_default_local_service_levels_are_24_hours_and_15_days():
    policy = service.policy_for(config.load({}), VILLAGE)

    assert (policy.first_contact_hours, policy.village_closure_days, policy.zone) == (24, 15, "Asia/Shanghai")


# --- clocks: start, warn, next check, pending alerts ----------------------------------------------------

def test_a_clock_warns_once_the_configured_fraction_of_its_span_has_passed():
    started = clocks.start(NOW, NOW + timedelta(days=10), 0.8)

    assert started["warn_at"] == NOW + timedelta(days=8)
    assert (started["warned"], started["overdue"], started["stopped_at"]) == (False, False, None)
    assert clocks.running(started) and not clocks.running(clocks.stop(started, NOW)) and not clocks.running(None)


def test_next_check_is_the_earliest_warning_of_the_running_clocks():
    running = {"a": clock(NOW, NOW + timedelta(days=10)), "b": clock(NOW, NOW + timedelta(days=5)),
               "stopped": clocks.stop(clock(NOW, NOW + timedelta(days=1)), NOW)}

    assert clocks.next_check(running) == NOW + timedelta(days=4)


def test_next_check_after_a_warning_is_the_deadline_and_after_overdue_there_is_nothing_left():
    due = NOW + timedelta(days=10)

    assert clocks.next_check({"a": clock(NOW, due, warned=True)}) == due
    assert clocks.next_check({"a": clock(NOW, due, warned=True, overdue=True)}) is None
    assert clocks.next_check({"a": clocks.stop(clock(NOW, due), NOW)}) is None
    assert clocks.next_check({}) is None


@pytest.mark.parametrize("after, expected", [
    (timedelta(days=7), []),
    (timedelta(days=8), [("a", "due_soon")]),
    (timedelta(days=9, hours=23), [("a", "due_soon")]),
    (timedelta(days=10), [("a", "overdue")]),
    (timedelta(days=30), [("a", "overdue")]),
])
def test_pending_alerts_of_a_fresh_clock(after, expected):
    assert clocks.pending_alerts({"a": clock(NOW, NOW + timedelta(days=10))}, NOW + after) == expected


def test_an_overdue_clock_that_was_never_warned_raises_only_overdue():
    fresh = clock(NOW, NOW + timedelta(days=10))
    late = NOW + timedelta(days=11)

    assert clocks.pending_alerts({"a": fresh}, late) == [("a", "overdue")]
    raised = clocks.raise_alert(fresh, "overdue")
    assert clocks.pending_alerts({"a": raised}, late) == []
    assert clocks.pending_alerts({"a": raised}, late + timedelta(days=100)) == []


def test_each_alert_is_pending_only_until_it_is_raised():
    start = clock(NOW, NOW + timedelta(days=10))
    warned = clocks.raise_alert(start, "due_soon")

    assert clocks.pending_alerts({"a": warned}, NOW + timedelta(days=9)) == []
    assert clocks.pending_alerts({"a": warned}, NOW + timedelta(days=10)) == [("a", "overdue")]
    assert (warned["warned"], warned["overdue"]) == (True, False)


def test_stopped_clocks_raise_nothing():
    stopped = clocks.stop(clock(NOW, NOW + timedelta(days=1)), NOW + timedelta(hours=1))

    assert clocks.pending_alerts({"a": stopped}, NOW + timedelta(days=5)) == []


def test_pending_alerts_cover_every_running_clock_in_name_order():
    state = {"village_closure": clock(NOW, NOW + timedelta(days=15)),
             "first_contact": clock(NOW, NOW + timedelta(hours=24)),
             "receipt_notice": clock(NOW, NOW + timedelta(days=15), warned=True)}

    assert clocks.pending_alerts(state, NOW + timedelta(days=13)) == [("first_contact", "overdue"),
                                                                      ("village_closure", "due_soon")]


def test_an_extension_after_the_limit_has_run_out_is_refused_or_watched_until_its_new_deadline():
    """Either the law's extension must come before the limit runs out (refused), or, once granted, the
    new deadline is a deadline like any other: it gets its own overdue alert. Never silence."""
    doc = accepted()
    late = NOW + timedelta(days=61)
    doc = apply(doc, workflow.alert(doc, "handling", "overdue", late))
    try:
        step = workflow.extend(doc, 30, "补办延期手续", late, POLICY)
    except WorkflowError:
        return  # refused: the limit has passed, nothing to watch
    handling = apply(doc, step)["clocks"]["handling"]

    assert handling["due_at"] == NOW + timedelta(days=90)
    raised = []
    for _ in range(3):  # the scheduler's passes at the new deadline, each raising what is pending
        pending = clocks.pending_alerts({"handling": handling}, NOW + timedelta(days=90))
        for _, kind in pending:
            handling = clocks.raise_alert(handling, kind)
            raised.append(kind)
    assert "overdue" in raised, f"the extended deadline passed silently (raised: {raised})"
