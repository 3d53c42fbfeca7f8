"""The clock scheduler with an injected time: ``assignment.due_soon`` and ``assignment.overdue`` are raised
exactly once per clock and deadline, survive a restart (the clocks are stored), skip stopped clocks, and a
per-banner worker only looks at its own banner. Nothing sleeps: every pass is ``scheduler.tick(ctx, now)``."""
from __future__ import annotations

import json
from collections import Counter
from datetime import date, datetime, timedelta, timezone

import pytest

from services.assignment import departments_store, scheduler, store
from services.registry import SPECS
from shared.events import new_event, parse_envelope, validate_data
from shared.runtime import ServiceRuntime
from tests.support.services import auth, make_settings

from .helpers import OTHER_BANNER_VILLAGE, VILLAGE, Service

T0 = datetime(2025, 3, 3, 2, 0, tzinfo=timezone.utc)  # Monday 10:00 in Asia/Shanghai
URL = "/api/v1/assignments"


class Clock:
    """A clock the test sets; it never moves by itself."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def at(self, **delta) -> datetime:
        self.now = T0 + timedelta(**delta)
        return self.now


@pytest.fixture
def clock():
    return Clock(T0)


@pytest.fixture
def assignment(make_service, clock) -> Service:
    return make_service("assignment", clock=clock)


def submitted(village: str, petition_id: str, received_at: datetime = T0):
    return new_event("petition.submitted", {
        "petition_id": petition_id, "number": f"{village[:6]}-20250303-00001", "category": "complaint",
        "channel": "mini_program", "language": "zh", "petitioner_ref": "ref_clock", "preferred_agent_id": None,
        "received_at": received_at,
        "deadlines": {"receipt_notice_due": date(2025, 3, 18), "handling_due": date(2025, 5, 17)},
    }, division=village, correlation_id=petition_id)


def raw(service, petition_id: str = "pet-1") -> dict:
    return service.db[store.ASSIGNMENTS].find_one({"_id": petition_id})


def alerts(service, petition_id: str = "pet-1") -> list[tuple[str, str]]:
    """(event type, clock) of every clock alert in the assignment's outbox, in order."""
    return [(m["type"].split(".")[1], m["data"]["clock"]) for m in raw(service, petition_id)["outbox"]
            if m["type"] in ("assignment.due_soon", "assignment.overdue")]


def tick(service, clock: Clock, **delta) -> int:
    return scheduler.tick(service.runtime.context, clock.at(**delta))


def restarted(service, settings=None, clock=None) -> Service:
    """A new runtime of assignment (as after a process restart) over the same database."""
    runtime = ServiceRuntime(SPECS["assignment"], settings or service.settings,
                             clock=clock or service.runtime.context.clock)
    runtime.db = runtime.context.db = service.db
    return Service(runtime)


def assert_valid_stream(service, petition_id: str = "pet-1") -> list:
    events = [parse_envelope(json.loads(json.dumps(m))) for m in raw(service, petition_id)["outbox"]]
    assert [e.sequence for e in events] == list(range(1, len(events) + 1))
    for event in events:
        validate_data(event)
    return events


def post(service, petition_id: str, action: str, body=None):
    held = raw(service, petition_id)["holder"]
    headers = auth(service.settings, held["kind"], held["id"], held["division"])
    response = service.client.post(f"{URL}/{petition_id}/{action}", headers=headers,
                                   **({"json": body} if body is not None else {}))
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


# A village petition assigned at T0 runs: receipt_notice (15 days, warns at 12), first_contact (24 hours,
# warns at 19.2 hours) and village_closure (15 days, warns at 12).

def test_a_clock_warns_once_and_then_is_overdue_once(assignment, clock):
    assignment.deliver(submitted(VILLAGE, "pet-1"))

    assert tick(assignment, clock, hours=19) == 0
    assert tick(assignment, clock, hours=19, minutes=12) == 1
    assert tick(assignment, clock, hours=20) == 0
    assert tick(assignment, clock, hours=23, minutes=59) == 0
    assert alerts(assignment) == [("due_soon", "first_contact")]
    assert tick(assignment, clock, hours=24) == 1
    assert tick(assignment, clock, hours=30) == 0
    assert tick(assignment, clock, days=2) == 0

    assert alerts(assignment) == [("due_soon", "first_contact"), ("overdue", "first_contact")]
    events = assert_valid_stream(assignment)
    overdue = events[-1]
    assert overdue.type == "assignment.overdue"
    assert overdue.data["due_at"] == (T0 + timedelta(hours=24)).isoformat()
    assert (overdue.data["level"], overdue.data["agent_id"]) == ("village", raw(assignment)["holder"]["id"])
    clocks = raw(assignment)["clocks"]["first_contact"]
    assert (clocks["warned"], clocks["overdue"]) == (True, True)


def test_a_deadline_passed_without_a_pass_in_between_raises_only_overdue(assignment, clock):
    assignment.deliver(submitted(VILLAGE, "pet-1"))

    assert tick(assignment, clock, days=16) == 3
    assert tick(assignment, clock, days=17) == 0
    assert tick(assignment, clock, days=40) == 0

    assert sorted(alerts(assignment)) == [("overdue", "first_contact"), ("overdue", "receipt_notice"),
                                          ("overdue", "village_closure")]
    assert raw(assignment)["next_check_at"] is None
    assert_valid_stream(assignment)


def test_each_clock_of_each_petition_is_alerted_once_however_often_the_scheduler_runs(assignment, clock):
    for n in range(3):
        assignment.deliver(submitted(VILLAGE, f"pet-{n}"))

    raised = sum(tick(assignment, clock, hours=h) for h in range(0, 24 * 17, 7))

    per_clock = Counter(a for n in range(3) for a in alerts(assignment, f"pet-{n}"))
    assert raised == 18  # 3 petitions × 3 clocks × (due soon + overdue)
    assert set(per_clock.values()) == {3}
    assert {kind for kind, _ in per_clock} == {"due_soon", "overdue"}


def test_alerts_raised_before_a_restart_are_not_raised_again_after_it(assignment, clock):
    assignment.deliver(submitted(VILLAGE, "pet-1"))
    assert tick(assignment, clock, hours=25) == 1  # first contact overdue (never warned)
    assignment.runtime.stop()

    again = restarted(assignment)
    try:
        assert scheduler.tick(again.runtime.context, clock.at(hours=26)) == 0
        assert scheduler.tick(again.runtime.context, clock.at(days=13)) == 2  # receipt notice, village closure
        assert scheduler.tick(again.runtime.context, clock.at(days=14)) == 0
    finally:
        again.runtime.stop()

    assert alerts(assignment) == [("overdue", "first_contact"), ("due_soon", "receipt_notice"),
                                  ("due_soon", "village_closure")]
    assert_valid_stream(assignment)


def test_two_schedulers_over_the_same_store_raise_each_alert_once(assignment, clock):
    assignment.deliver(submitted(VILLAGE, "pet-1"))
    other = restarted(assignment)
    try:
        now = clock.at(days=13)
        raised = scheduler.tick(assignment.runtime.context, now) + scheduler.tick(other.runtime.context, now)
    finally:
        other.runtime.stop()

    assert raised == 3
    assert Counter(alerts(assignment)) == Counter({("due_soon", "receipt_notice"): 1,
                                                   ("due_soon", "village_closure"): 1, ("overdue", "first_contact"): 1})


def test_stopped_clocks_raise_nothing(assignment, clock):
    assignment.deliver(submitted(VILLAGE, "pet-1"))
    clock.at(hours=1)
    post(assignment, "pet-1", "accept")            # stops the receipt notice, starts handling (60 days)
    clock.at(hours=2)
    post(assignment, "pet-1", "contact", {"method": "phone"})  # stops first contact

    assert tick(assignment, clock, days=14) == 1   # only the village closure target still runs
    assert tick(assignment, clock, days=30) == 1
    assert alerts(assignment) == [("due_soon", "village_closure"), ("overdue", "village_closure")]
    assert tick(assignment, clock, days=49) == 1
    assert alerts(assignment)[-1] == ("due_soon", "handling")


def test_a_closed_petition_raises_nothing_more(assignment, clock):
    assignment.deliver(submitted(VILLAGE, "pet-1"))
    post(assignment, "pet-1", "accept")
    post(assignment, "pet-1", "close", {"outcome": "explain", "answer": "已当面解释政策。", "legal_basis": "《信访工作条例》"})
    version = raw(assignment)["version"]

    assert tick(assignment, clock, days=100) == 0

    assert alerts(assignment) == []
    assert raw(assignment)["version"] == version


def test_the_handling_clock_warns_again_for_the_extended_deadline(assignment, clock):
    assignment.deliver(submitted(VILLAGE, "pet-1"))
    post(assignment, "pet-1", "accept")
    post(assignment, "pet-1", "contact", {"method": "phone"})
    post(assignment, "pet-1", "escalate", {"reason": "村级无法化解"})  # stops the village closure target
    township = auth(assignment.settings, "coordinator", "coord-t", VILLAGE[:9])
    assert assignment.client.post(f"{URL}/pet-1/take", headers=township).status_code == 200

    assert tick(assignment, clock, days=48) == 1    # handling: 60 days, warns at 48
    clock.at(days=50)
    post(assignment, "pet-1", "extend", {"days": 30, "reason": "等待司法鉴定"})  # due at 90 days, warns at 72
    assert tick(assignment, clock, days=61) == 0
    assert tick(assignment, clock, days=72) == 1
    assert tick(assignment, clock, days=90) == 1
    assert tick(assignment, clock, days=120) == 0

    handling = [(kind, m) for kind, m in alerts(assignment) if m == "handling"]
    assert handling == [("due_soon", "handling"), ("due_soon", "handling"), ("overdue", "handling")]
    assert assert_valid_stream(assignment)[-1].data["due_at"] == (T0 + timedelta(days=90)).isoformat()


def test_the_department_objection_window_runs_out_after_five_working_days(assignment, clock):
    departments_store.insert(assignment.db, {"_id": "dep-1", "name": "东乌珠穆沁旗自然资源局", "remit": "草原",
                                             "banner": VILLAGE[:6], "active": True})
    assignment.deliver(submitted(VILLAGE, "pet-1"))
    post(assignment, "pet-1", "accept")
    post(assignment, "pet-1", "contact", {"method": "phone"})
    clock.at(days=3)  # Thursday 2025-03-06 10:00 local
    post(assignment, "pet-1", "forward", {"department_id": "dep-1"})

    assert tick(assignment, clock, days=9, hours=23) == 1   # Thursday 2025-03-13 09:00 local: one hour left
    assert alerts(assignment) == [("due_soon", "department_objection")]
    assert tick(assignment, clock, days=10) == 1            # Thursday 2025-03-13 10:00 local: over the weekend
    assert alerts(assignment)[-1] == ("overdue", "department_objection")
    assert assert_valid_stream(assignment)[-1].data["due_at"] == (T0 + timedelta(days=10)).isoformat()


def test_a_per_banner_scheduler_touches_only_its_own_banner(make_service, clock):
    everything = make_service("assignment", clock=clock)
    everything.deliver(submitted(VILLAGE, "pet-east"))
    everything.deliver(submitted(OTHER_BANNER_VILLAGE, "pet-duolun"))
    duolun_before = raw(everything, "pet-duolun")
    east_only = restarted(everything, settings=make_settings(DAIBAN_BANNERS=VILLAGE[:6]))
    try:
        raised = scheduler.tick(east_only.runtime.context, clock.at(days=16))
    finally:
        east_only.runtime.stop()

    assert raised == 3
    assert len(alerts(everything, "pet-east")) == 3
    assert raw(everything, "pet-duolun") == duolun_before
    assert scheduler.tick(everything.runtime.context, clock.now) == 3  # the other banner's own worker catches up
    assert len(alerts(everything, "pet-duolun")) == 3


def test_a_banners_own_first_contact_level_sets_when_the_alerts_come(make_service, clock):
    slas = json.dumps({VILLAGE[:6]: {"first_contact_hours": 10, "village_closure_days": 5}})
    east = make_service("assignment", make_settings(DAIBAN_LOCAL_SLAS=slas), clock=clock)
    east.deliver(submitted(VILLAGE, "pet-east"))
    east.deliver(submitted(OTHER_BANNER_VILLAGE, "pet-duolun"))

    assert scheduler.tick(east.runtime.context, clock.at(hours=10)) == 1

    assert alerts(east, "pet-east") == [("overdue", "first_contact")]
    assert alerts(east, "pet-duolun") == []  # 多伦县 keeps the default 24 hours
    assert raw(east, "pet-east")["clocks"]["village_closure"]["due_at"] == T0 + timedelta(days=5)
    assert raw(east, "pet-duolun")["clocks"]["village_closure"]["due_at"] == T0 + timedelta(days=15)
