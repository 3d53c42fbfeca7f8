"""After the answer, through HTTP: the petitioner rates the result once (POST .../feedback) and asks for
review (复查) and re-review (复核) (POST .../review); after the re-review answer the matter is final.
Every refusal is a 4xx problem+json that leaves the petition, its outbox and the store as they were.

The petition is driven to closure by delivering assignment's events to intake's handlers, as the
consumer would: petition.assigned (1), assignment.accepted (2), petition.closed (3), and for a review
assignment.queued, petition.assigned, assignment.accepted, petition.closed with the next round."""
from __future__ import annotations

import threading
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from services.intake import aftercare_api, aftercare_store, store
from services.intake.app import SPEC
from shared import outbox
from shared.events import new_event, parse_envelope, validate_data
from shared.privacy import subject_ref
from shared.runtime import ServiceRuntime
from tests.support.services import auth, make_settings
from tests.unit.petition_stream import event as stream_event

from .helpers import OTHER_BANNER_VILLAGE, VILLAGE, Service, fields_of, petition_body, problem_of

URL = "/api/v1/petitions"
OWNER = "wx-owner"
T0 = datetime(2025, 3, 1, 2, 0, tzinfo=timezone.utc)           # 10:00 in Shanghai
ANSWERED = T0 + timedelta(minutes=10)                          # the written answer: 1 March 10:10 local
WINDOW_SHUT = datetime(2025, 3, 31, 16, 0, tzinfo=timezone.utc)  # 1 April 00:00 local: 30 days have passed
VILLAGE_AGENT = {"id": "agt-village", "name": "巴特尔（示例）", "division": VILLAGE}
TOWNSHIP_AGENT = {"id": "agt-township", "name": "其其格（示例）", "division": VILLAGE[:9]}
BANNER_AGENT = {"id": "agt-banner", "name": "乌力吉（示例）", "division": VILLAGE[:6]}
FEEDBACK = {"satisfaction": "basically_satisfied", "solved": True, "contacted": True, "comment": "路灯修好了，谢谢。"}
REASON = "路灯修好后又坏了，答复没有解决问题。"


class Clock:
    """The service's clock, moved by the test."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock():
    return Clock(T0)


def with_aftercare(spec):
    """intake's spec with the aftercare blueprint (whether or not app.py wires it already)."""
    return spec if aftercare_api.blp in spec.blueprints else replace(
        spec, blueprints=(*spec.blueprints, aftercare_api.blp))


@pytest.fixture
def intake(settings, clock):
    runtime = ServiceRuntime(with_aftercare(SPEC), settings, clock=clock)
    yield Service(runtime)
    runtime.stop()


# --- driving a petition -----------------------------------------------------------------------

def submit(intake, sub=OWNER, **overrides) -> str:
    response = intake.client.post(URL, json=petition_body(**overrides),
                                  headers=auth(intake.settings, "petitioner", sub, VILLAGE))
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()["id"]


def deliver(intake, petition_id: str, name: str, sequence: int, **data) -> None:
    intake.deliver(stream_event(name, sequence, petition_id=petition_id, division=VILLAGE, **data))


def close_first(intake, petition_id: str, closed_at: datetime = ANSWERED) -> None:
    deliver(intake, petition_id, "petition.assigned", 1, agent=VILLAGE_AGENT, level="village", assigned_at=T0)
    deliver(intake, petition_id, "assignment.accepted", 2, agent_id=VILLAGE_AGENT["id"], accepted_at=T0)
    deliver(intake, petition_id, "petition.closed", 3, level="village", closed_at=closed_at, review_round=0)


def answer_review(intake, petition_id: str, first: int, review_round: int, level: str, agent: dict,
                  closed_at: datetime) -> None:
    """What assignment emits after a review request: reopened a level up, assigned, accepted, answered."""
    deliver(intake, petition_id, "assignment.queued", first, level=level, queued_at=closed_at - timedelta(days=1))
    deliver(intake, petition_id, "petition.assigned", first + 1, agent=agent, level=level,
            assigned_at=closed_at - timedelta(days=1))
    deliver(intake, petition_id, "assignment.accepted", first + 2, agent_id=agent["id"],
            accepted_at=closed_at - timedelta(days=1))
    deliver(intake, petition_id, "petition.closed", first + 3, level=level, closed_at=closed_at,
            review_round=review_round, outcome="explain", answer="复查认为原处理意见并无不当，现予维持。")


def closed_petition(intake, sub=OWNER, **overrides) -> str:
    petition_id = submit(intake, sub, **overrides)
    close_first(intake, petition_id)
    return petition_id


# --- calling it -------------------------------------------------------------------------------

def post_feedback(intake, petition_id, body=None, sub=OWNER, role="petitioner", **headers):
    return intake.client.post(f"{URL}/{petition_id}/feedback", json=FEEDBACK if body is None else body,
                              headers={**auth(intake.settings, role, sub, VILLAGE), **headers})


def post_review(intake, petition_id, kind="review", reason=REASON, sub=OWNER, body=None, **headers):
    return intake.client.post(f"{URL}/{petition_id}/review", json=body or {"kind": kind, "reason": reason},
                              headers={**auth(intake.settings, "petitioner", sub, VILLAGE), **headers})


def view(intake, petition_id, sub=OWNER, **headers) -> dict:
    response = intake.client.get(f"{URL}/{petition_id}",
                                 headers={**auth(intake.settings, "petitioner", sub, VILLAGE), **headers})
    assert response.status_code == 200
    return response.get_json()


def stored(intake, petition_id) -> dict:
    return intake.db[store.PETITIONS].find_one({"_id": petition_id})


def snapshot(intake, petition_id):
    """Everything a refusal must leave as it was: the petition with its outbox, and every collection."""
    return stored(intake, petition_id), intake.stored(), outbox.backlog(intake.db[store.PETITIONS])


def events_of(intake, petition_id, name) -> list:
    """The petition's outbox events of that type, as a consumer would receive them: parsed and validated."""
    found = []
    for message in stored(intake, petition_id)["outbox"]:
        if message["type"] == name:
            received = parse_envelope(message)
            found.append((received, validate_data(received)))
    return found


# --- feedback ---------------------------------------------------------------------------------

def test_the_owner_rates_a_closed_petition_and_petition_rated_goes_out_with_it(intake, clock):
    petition_id = closed_petition(intake)
    clock.now = ANSWERED + timedelta(days=3)
    backlog = outbox.backlog(intake.db[store.PETITIONS])

    response = post_feedback(intake, petition_id)

    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json() == {"petition_id": petition_id, **FEEDBACK, "rated_at": "2025-03-04T10:10:00+08:00"}
    assert outbox.backlog(intake.db[store.PETITIONS]) == backlog + 1
    [(rated, data)] = events_of(intake, petition_id, "petition.rated")
    assert (rated.producer, rated.division, rated.correlation_id, rated.sequence) == ("intake", VILLAGE,
                                                                                     petition_id, 2)
    assert data == {"petition_id": petition_id, "agent_id": VILLAGE_AGENT["id"], "level": "village",
                    "satisfaction": "basically_satisfied", "solved": True, "contacted": True,
                    "rated_at": clock.now}
    assert "comment" not in rated.data and FEEDBACK["comment"] not in str(rated.to_message())
    assert stored(intake, petition_id)["feedback"]["comment"] == FEEDBACK["comment"]


def test_the_rating_shows_on_the_petition_and_its_timeline_without_the_comment(intake, clock):
    petition_id = closed_petition(intake)
    clock.now = ANSWERED + timedelta(days=1)
    post_feedback(intake, petition_id)

    petition = view(intake, petition_id)
    english = view(intake, petition_id, **{"Accept-Language": "en"})

    assert petition["feedback"] == {"satisfaction": "basically_satisfied", "solved": True, "contacted": True,
                                    "rated_at": "2025-03-02T10:10:00+08:00"}
    assert petition["timeline"][-1]["kind"] == "rated"
    assert "基本满意" in petition["timeline"][-1]["message"]
    assert english["timeline"][-1]["message"] == (
        "You rated the result: basically satisfied. Thank you for your feedback.")
    assert FEEDBACK["comment"] not in str(petition)
    assert petition["final"] is False and petition["reviews"] == []
    assert petition["answer"]["review_round"] == 0


def test_the_comment_is_optional(intake, clock):
    petition_id = closed_petition(intake)
    clock.now = ANSWERED + timedelta(hours=1)

    response = post_feedback(intake, petition_id, {"satisfaction": "satisfied", "solved": True, "contacted": False})

    assert response.status_code == 201
    assert response.get_json()["comment"] is None


@pytest.mark.parametrize("steps", [0, 1, 2], ids=["submitted", "assigned", "accepted"])
def test_feedback_before_closure_is_409_not_closed_and_leaves_nothing(intake, clock, steps):
    petition_id = submit(intake)
    if steps >= 1:
        deliver(intake, petition_id, "petition.assigned", 1, agent=VILLAGE_AGENT, assigned_at=T0)
    if steps >= 2:
        deliver(intake, petition_id, "assignment.accepted", 2, agent_id=VILLAGE_AGENT["id"], accepted_at=T0)
    clock.now = T0 + timedelta(days=1)
    before = snapshot(intake, petition_id)

    problem = problem_of(post_feedback(intake, petition_id), 409, "not-closed")

    assert fields_of(problem) == {"petition_id"}
    assert snapshot(intake, petition_id) == before


def test_feedback_twice_is_409_already_rated_and_leaves_nothing(intake, clock):
    petition_id = closed_petition(intake)
    clock.now = ANSWERED + timedelta(days=1)
    assert post_feedback(intake, petition_id).status_code == 201
    before = snapshot(intake, petition_id)

    problem_of(post_feedback(intake, petition_id), 409, "already-rated")
    problem_of(post_feedback(intake, petition_id, {**FEEDBACK, "satisfaction": "dissatisfied"}), 409, "already-rated")

    assert snapshot(intake, petition_id) == before
    assert len(events_of(intake, petition_id, "petition.rated")) == 1


def test_feedback_is_taken_until_the_30th_day_after_the_answer_ends(intake, clock):
    petition_id = closed_petition(intake)
    clock.now = WINDOW_SHUT - timedelta(milliseconds=1)

    assert post_feedback(intake, petition_id).status_code == 201


def test_feedback_after_the_window_is_409_and_leaves_nothing(intake, clock):
    petition_id = closed_petition(intake)
    clock.now = WINDOW_SHUT
    before = snapshot(intake, petition_id)

    problem = problem_of(post_feedback(intake, petition_id), 409, "feedback-window-closed")

    assert "30 days" in problem["detail"]
    assert snapshot(intake, petition_id) == before


def test_the_feedback_window_is_the_setting(clock):
    runtime = ServiceRuntime(with_aftercare(SPEC), make_settings(DAIBAN_FEEDBACK_DAYS="7"), clock=clock)
    try:
        service = Service(runtime)
        petition_id = closed_petition(service)
        clock.now = ANSWERED + timedelta(days=8)
        problem_of(post_feedback(service, petition_id), 409, "feedback-window-closed")
        clock.now = ANSWERED + timedelta(days=7)
        assert post_feedback(service, petition_id).status_code == 201
    finally:
        runtime.stop()


def test_someone_elses_petition_is_404_and_staff_may_not_rate(intake, clock):
    petition_id = closed_petition(intake)
    clock.now = ANSWERED + timedelta(days=1)
    before = snapshot(intake, petition_id)

    problem_of(post_feedback(intake, petition_id, sub="wx-stranger"), 404, "not-found")
    problem_of(post_feedback(intake, "pet-nope"), 404, "not-found")
    problem_of(post_feedback(intake, petition_id, sub=VILLAGE_AGENT["id"], role="agent"), 403, "forbidden")

    assert snapshot(intake, petition_id) == before


@pytest.mark.parametrize("body, field", [
    ({**FEEDBACK, "satisfaction": "delighted"}, "satisfaction"),
    ({k: v for k, v in FEEDBACK.items() if k != "satisfaction"}, "satisfaction"),
    ({k: v for k, v in FEEDBACK.items() if k != "solved"}, "solved"),
    ({k: v for k, v in FEEDBACK.items() if k != "contacted"}, "contacted"),
    ({**FEEDBACK, "solved": "perhaps"}, "solved"),
    ({**FEEDBACK, "comment": "长" * 501}, "comment"),
    ({**FEEDBACK, "stars": 5}, "stars"),
], ids=["unknown-satisfaction", "no-satisfaction", "no-solved", "no-contacted", "solved-not-bool",
        "comment-too-long", "unknown-field"])
def test_an_invalid_rating_is_422_naming_the_field_and_leaves_nothing(intake, clock, body, field):
    petition_id = closed_petition(intake)
    clock.now = ANSWERED + timedelta(days=1)
    before = snapshot(intake, petition_id)

    problem = problem_of(post_feedback(intake, petition_id, body), 422, "validation-failed")

    assert field in fields_of(problem)
    assert snapshot(intake, petition_id) == before


def test_a_comment_of_500_characters_is_taken(intake, clock):
    petition_id = closed_petition(intake)
    clock.now = ANSWERED + timedelta(days=1)
    assert post_feedback(intake, petition_id, {**FEEDBACK, "comment": "长" * 500}).status_code == 201


def test_the_same_idempotency_key_and_body_give_the_same_answer_once(intake, clock):
    petition_id = closed_petition(intake)
    clock.now = ANSWERED + timedelta(days=1)

    first = post_feedback(intake, petition_id, **{"Idempotency-Key": "fb-1"})
    clock.now += timedelta(hours=2)
    again = post_feedback(intake, petition_id, **{"Idempotency-Key": "fb-1"})

    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert len(events_of(intake, petition_id, "petition.rated")) == 1
    assert [e["kind"] for e in stored(intake, petition_id)["timeline"]].count("rated") == 1


def test_the_same_idempotency_key_with_another_body_is_422_and_leaves_nothing(intake, clock):
    petition_id = closed_petition(intake)
    clock.now = ANSWERED + timedelta(days=1)
    post_feedback(intake, petition_id, **{"Idempotency-Key": "fb-1"})
    before = snapshot(intake, petition_id)

    response = post_feedback(intake, petition_id, {**FEEDBACK, "solved": False}, **{"Idempotency-Key": "fb-1"})

    assert fields_of(problem_of(response, 422, "idempotency-key-reused")) == {"Idempotency-Key"}
    assert snapshot(intake, petition_id) == before


def test_another_key_after_a_rating_is_still_a_second_rating(intake, clock):
    petition_id = closed_petition(intake)
    clock.now = ANSWERED + timedelta(days=1)
    post_feedback(intake, petition_id, **{"Idempotency-Key": "fb-1"})

    problem_of(post_feedback(intake, petition_id, **{"Idempotency-Key": "fb-2"}), 409, "already-rated")


def test_concurrent_ratings_let_exactly_one_win(intake, clock):
    petition_id = closed_petition(intake)
    clock.now = ANSWERED + timedelta(days=1)
    start, answers = threading.Barrier(6), []

    def rate(satisfaction):
        start.wait()
        answers.append(post_feedback(intake, petition_id, {**FEEDBACK, "satisfaction": satisfaction}))

    threads = [threading.Thread(target=rate, args=(s,)) for s in ("satisfied", "dissatisfied") * 3]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(a.status_code for a in answers) == [201] + [409] * 5
    assert {a.get_json()["type"].rsplit(":", 1)[1] for a in answers if a.status_code == 409} == {"already-rated"}
    assert len(events_of(intake, petition_id, "petition.rated")) == 1


def test_the_guard_refuses_a_write_decided_on_a_stale_read(intake, clock):
    """Two requests that both read the petition unrated: the second update matches nothing."""
    petition_id = closed_petition(intake)
    read_by_both = stored(intake, petition_id)

    def rating(satisfaction):
        event = new_event("petition.rated", {
            "petition_id": petition_id, "agent_id": VILLAGE_AGENT["id"], "level": "village",
            "satisfaction": satisfaction, "solved": True, "contacted": True, "rated_at": clock.now},
            division=VILLAGE, correlation_id=petition_id, sequence=2)
        entry = {"kind": "rated", "at": clock.now, "params": {"satisfaction": satisfaction}}
        return aftercare_store.record_feedback(intake.db, read_by_both, {"satisfaction": satisfaction}, entry, event,
                                               clock.now)

    first, second = rating("satisfied"), rating("dissatisfied")

    assert first is not None and second is None
    assert stored(intake, petition_id)["feedback"] == {"satisfaction": "satisfied"}
    assert [d["satisfaction"] for _, d in events_of(intake, petition_id, "petition.rated")] == ["satisfied"]


# --- review and re-review ---------------------------------------------------------------------

def test_a_review_is_asked_for_within_30_days_and_petition_review_requested_goes_out(intake, clock):
    petition_id = closed_petition(intake)
    clock.now = ANSWERED + timedelta(days=30)
    backlog = outbox.backlog(intake.db[store.PETITIONS])

    response = post_review(intake, petition_id)

    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json() == {"petition_id": petition_id, "kind": "review", "reason": REASON,
                                   "requested_at": "2025-03-31T10:10:00+08:00", "answer_due_in_days": 30}
    assert outbox.backlog(intake.db[store.PETITIONS]) == backlog + 1
    [(requested, data)] = events_of(intake, petition_id, "petition.review_requested")
    assert (requested.producer, requested.correlation_id, requested.sequence) == ("intake", petition_id, 2)
    assert data == {"petition_id": petition_id, "kind": "review", "requested_at": clock.now}
    assert REASON not in str(requested.to_message())
    petition = view(intake, petition_id)
    assert petition["status"] == "closed"   # until assignment reopens it a level up
    assert petition["reviews"] == [{"kind": "review", "reason": REASON, "requested_at": "2025-03-31T10:10:00+08:00"}]
    assert petition["timeline"][-1]["kind"] == "review_requested"
    assert "复查" in petition["timeline"][-1]["message"]


def test_assignment_reopening_the_petition_queues_it_a_level_up(intake, clock):
    petition_id = closed_petition(intake)
    clock.now = ANSWERED + timedelta(days=2)
    post_review(intake, petition_id)

    deliver(intake, petition_id, "assignment.queued", 4, level="township", queued_at=clock.now)

    petition = view(intake, petition_id)
    assert (petition["status"], petition["level"]) == ("queued", "township")


def test_a_review_after_its_window_is_409_and_leaves_nothing(intake, clock):
    petition_id = closed_petition(intake)
    clock.now = WINDOW_SHUT
    before = snapshot(intake, petition_id)

    problem = problem_of(post_review(intake, petition_id), 409, "review-window-closed")

    assert "第三十五条" in problem["detail"]
    assert fields_of(problem) == {"kind"}
    assert snapshot(intake, petition_id) == before


def test_the_last_instant_of_the_30th_day_is_still_inside(intake, clock):
    petition_id = closed_petition(intake)
    clock.now = WINDOW_SHUT - timedelta(milliseconds=1)

    assert post_review(intake, petition_id).status_code == 201


@pytest.mark.parametrize("kind", ["review", "re_review"])
def test_no_review_before_there_is_an_answer(intake, clock, kind):
    petition_id = submit(intake)
    deliver(intake, petition_id, "petition.assigned", 1, agent=VILLAGE_AGENT, assigned_at=T0)
    before = snapshot(intake, petition_id)

    problem_of(post_review(intake, petition_id, kind), 409, "review-not-possible")

    assert snapshot(intake, petition_id) == before


def test_a_re_review_needs_a_review_answer_first(intake, clock):
    petition_id = closed_petition(intake)
    clock.now = ANSWERED + timedelta(days=1)
    before = snapshot(intake, petition_id)

    problem = problem_of(post_review(intake, petition_id, "re_review"), 409, "review-not-possible")

    assert "复查" in problem["detail"]
    assert snapshot(intake, petition_id) == before


def test_a_review_is_asked_for_once(intake, clock):
    petition_id = closed_petition(intake)
    clock.now = ANSWERED + timedelta(days=1)
    assert post_review(intake, petition_id).status_code == 201
    before = snapshot(intake, petition_id)

    problem_of(post_review(intake, petition_id), 409, "review-not-possible")
    problem_of(post_review(intake, petition_id, "re_review"), 409, "review-not-possible")

    assert snapshot(intake, petition_id) == before


def test_someone_elses_petition_is_404_for_review(intake, clock):
    petition_id = closed_petition(intake)
    clock.now = ANSWERED + timedelta(days=1)
    before = snapshot(intake, petition_id)

    problem_of(post_review(intake, petition_id, sub="wx-stranger"), 404, "not-found")

    assert snapshot(intake, petition_id) == before


@pytest.mark.parametrize("body, field", [
    ({"kind": "appeal", "reason": REASON}, "kind"),
    ({"reason": REASON}, "kind"),
    ({"kind": "review"}, "reason"),
    ({"kind": "review", "reason": ""}, "reason"),
    ({"kind": "review", "reason": "长" * 1001}, "reason"),
], ids=["unknown-kind", "no-kind", "no-reason", "empty-reason", "reason-too-long"])
def test_an_invalid_review_request_is_422_and_leaves_nothing(intake, clock, body, field):
    petition_id = closed_petition(intake)
    clock.now = ANSWERED + timedelta(days=1)
    before = snapshot(intake, petition_id)

    problem = problem_of(post_review(intake, petition_id, body=body), 422, "validation-failed")

    assert field in fields_of(problem)
    assert snapshot(intake, petition_id) == before


def test_a_reason_of_1000_characters_is_taken(intake, clock):
    petition_id = closed_petition(intake)
    clock.now = ANSWERED + timedelta(days=1)
    assert post_review(intake, petition_id, reason="长" * 1000).status_code == 201


def test_review_requests_are_idempotent_by_key(intake, clock):
    petition_id = closed_petition(intake)
    clock.now = ANSWERED + timedelta(days=1)

    first = post_review(intake, petition_id, **{"Idempotency-Key": "rv-1"})
    again = post_review(intake, petition_id, **{"Idempotency-Key": "rv-1"})
    before = snapshot(intake, petition_id)
    other = post_review(intake, petition_id, reason="另一个理由", **{"Idempotency-Key": "rv-1"})

    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json() and again.headers["Idempotent-Replayed"] == "true"
    problem_of(other, 422, "idempotency-key-reused")
    assert snapshot(intake, petition_id) == before
    assert len(events_of(intake, petition_id, "petition.review_requested")) == 1


def test_review_then_re_review_then_final(intake, clock):
    petition_id = closed_petition(intake)

    # 复查: asked on day 20 of the first answer, answered at township level
    clock.now = ANSWERED + timedelta(days=20)
    assert post_review(intake, petition_id).status_code == 201
    review_answer = ANSWERED + timedelta(days=45)
    answer_review(intake, petition_id, 4, 1, "township", TOWNSHIP_AGENT, review_answer)
    petition = view(intake, petition_id)
    assert (petition["status"], petition["level"], petition["final"]) == ("closed", "township", False)
    assert petition["answer"]["review_round"] == 1
    assert petition["timeline"][-1]["kind"] == "review_closed"
    assert "复核" in petition["timeline"][-1]["message"]

    # a second review is not possible; a re-review is, counted from the review answer
    clock.now = review_answer + timedelta(days=30)           # 75 days after the first answer
    problem_of(post_review(intake, petition_id, "review"), 409, "review-not-possible")
    response = post_review(intake, petition_id, "re_review")
    assert response.status_code == 201, response.get_data(as_text=True)
    [(re_review, data)] = [(e, d) for e, d in events_of(intake, petition_id, "petition.review_requested")
                           if d["kind"] == "re_review"]
    assert re_review.sequence == 3

    # 复核 answered at banner level: final
    final_answer = review_answer + timedelta(days=50)
    answer_review(intake, petition_id, 8, 2, "banner", BANNER_AGENT, final_answer)
    petition = view(intake, petition_id)
    assert (petition["status"], petition["level"], petition["final"]) == ("closed", "banner", True)
    assert stored(intake, petition_id)["final"] is True
    assert petition["answer"]["review_round"] == 2
    assert [r["kind"] for r in petition["reviews"]] == ["review", "re_review"]
    assert petition["timeline"][-1]["kind"] == "re_review_closed"
    assert "第三十六条" in petition["timeline"][-1]["message"]

    # nothing more to ask for, however early
    clock.now = final_answer + timedelta(days=1)
    before = snapshot(intake, petition_id)
    for kind in ("review", "re_review"):
        problem = problem_of(post_review(intake, petition_id, kind), 409, "review-not-possible")
        assert "Article 36" in problem["detail"]
    assert snapshot(intake, petition_id) == before

    # the rating, never given yet, is still possible on the final answer, for the agent who closed it
    assert post_feedback(intake, petition_id).status_code == 201
    [(rated, data)] = events_of(intake, petition_id, "petition.rated")
    assert (data["agent_id"], data["level"], rated.sequence) == (BANNER_AGENT["id"], "banner", 4)


def test_a_re_review_after_30_days_from_the_review_answer_is_409(intake, clock):
    petition_id = closed_petition(intake)
    clock.now = ANSWERED + timedelta(days=1)
    post_review(intake, petition_id)
    review_answer = ANSWERED + timedelta(days=20)
    answer_review(intake, petition_id, 4, 1, "township", TOWNSHIP_AGENT, review_answer)
    clock.now = WINDOW_SHUT + timedelta(days=20)   # 1 April + 20 days: the 30 days after 21 March have passed
    before = snapshot(intake, petition_id)

    problem = problem_of(post_review(intake, petition_id, "re_review"), 409, "review-window-closed")

    assert "第三十六条" in problem["detail"]
    assert snapshot(intake, petition_id) == before
    clock.now -= timedelta(milliseconds=1)
    assert post_review(intake, petition_id, "re_review").status_code == 201


def test_a_reopened_petition_is_not_rated_until_it_is_answered_again(intake, clock):
    petition_id = closed_petition(intake)
    clock.now = ANSWERED + timedelta(days=1)
    post_review(intake, petition_id)
    deliver(intake, petition_id, "assignment.queued", 4, level="township", queued_at=clock.now)

    problem_of(post_feedback(intake, petition_id), 409, "not-closed")


# --- final matters ----------------------------------------------------------------------------

def final_petition(intake, clock, sub=OWNER, **overrides) -> str:
    petition_id = closed_petition(intake, sub, **overrides)
    clock.now = ANSWERED + timedelta(days=1)
    assert post_review(intake, petition_id, sub=sub).status_code == 201
    answer_review(intake, petition_id, 4, 1, "township", TOWNSHIP_AGENT, ANSWERED + timedelta(days=20))
    clock.now = ANSWERED + timedelta(days=21)
    assert post_review(intake, petition_id, "re_review", sub=sub).status_code == 201
    answer_review(intake, petition_id, 8, 2, "banner", BANNER_AGENT, ANSWERED + timedelta(days=40))
    return petition_id


def test_final_matter_for_finds_the_petitioners_final_petition_on_the_same_matter(intake, clock):
    petition_id = final_petition(intake, clock)
    ref = subject_ref(intake.settings, OWNER)
    again = "村口的路灯坏了，晚上出行不安全，请尽快修好村口路灯。"

    found = aftercare_store.final_matter_for(intake.db, ref, VILLAGE, again, intake.settings.duplicate_threshold)

    assert found is not None
    assert (found["_id"], found["final"], found["number"]) == (petition_id, True, stored(intake, petition_id)["number"])
    assert found["similarity"] > intake.settings.duplicate_threshold
    assert "outbox" not in found


def test_final_matter_for_is_none_for_another_petitioner_village_or_matter(intake, clock):
    final_petition(intake, clock)
    ref = subject_ref(intake.settings, OWNER)
    same = "村口的路灯坏了，晚上出行不安全，请尽快修好村口路灯。"
    threshold = intake.settings.duplicate_threshold

    assert aftercare_store.final_matter_for(intake.db, subject_ref(intake.settings, "wx-other"), VILLAGE, same,
                                            threshold) is None
    assert aftercare_store.final_matter_for(intake.db, ref, OTHER_BANNER_VILLAGE, same, threshold) is None
    assert aftercare_store.final_matter_for(intake.db, ref, VILLAGE, "草场被邻村牧民越界放牧，要求划清草场边界。",
                                            threshold) is None


def test_a_petition_answered_on_review_only_is_not_final(intake, clock):
    petition_id = closed_petition(intake, "wx-other")
    clock.now = ANSWERED + timedelta(days=1)
    post_review(intake, petition_id, sub="wx-other")
    answer_review(intake, petition_id, 4, 1, "township", TOWNSHIP_AGENT, ANSWERED + timedelta(days=20))
    same = "村口的路灯坏了，晚上出行不安全，请尽快修好村口路灯。"

    assert view(intake, petition_id, sub="wx-other")["final"] is False
    assert aftercare_store.final_matter_for(intake.db, subject_ref(intake.settings, "wx-other"), VILLAGE, same,
                                            intake.settings.duplicate_threshold) is None


def test_of_several_final_petitions_the_most_alike_is_answered(intake, clock):
    lamp = final_petition(intake, clock)
    road = final_petition(intake, clock, title="村口道路坑洼", description="村口道路坑洼不平，雨天积水，车辆无法通行。")
    ref = subject_ref(intake.settings, OWNER)

    found = aftercare_store.final_matter_for(intake.db, ref, VILLAGE, "村口道路坑洼不平，雨天积水严重，无法通行。", 0.2)

    assert found["_id"] == road != lamp


def test_a_new_petition_on_a_final_matter_is_answered_with_the_explanation_and_not_filed(intake, clock):
    petition_id = final_petition(intake, clock)
    clock.now = ANSWERED + timedelta(days=60)
    before = intake.stored()
    again = petition_body(description="村口的路灯坏了，晚上出行不安全，请尽快修好村口路灯。")

    response = intake.client.post(URL, json=again, headers=auth(intake.settings, "petitioner", OWNER, VILLAGE))

    problem = problem_of(response, 409, "matter-final")
    assert problem["final_petition"]["id"] == petition_id
    assert "Article 36" in problem["detail"]
    assert intake.stored() == before, "nothing filed, no serial number used"
    chinese = intake.client.post(URL, json=again, headers={**auth(intake.settings, "petitioner", OWNER, VILLAGE),
                                                           "Accept-Language": "zh-CN"})
    assert "第三十六条" in problem_of(chinese, 409, "matter-final")["detail"]


def test_another_matter_of_the_same_petitioner_is_filed_after_a_final_one(intake, clock):
    final_petition(intake, clock)
    other = petition_body(title="草场被占", description="邻居把羊群赶进我家打草场，草场被踩坏。")

    response = intake.client.post(URL, json=other, headers=auth(intake.settings, "petitioner", OWNER, VILLAGE))

    assert response.status_code == 201, response.get_data(as_text=True)
