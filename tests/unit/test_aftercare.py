"""After the answer, as pure rules with the time given: rating once, after closure, within the feedback
window; review (复查) within 30 days of the first answer, re-review (复核) within 30 days of the review
answer, then final. Windows are calendar days in local time: the day of the answer does not count and
the last day ends at 24:00."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import re
import string

import pytest

from services.intake import aftercare, messages
from services.intake.progress import STEPS, Moment
from shared.events import validate_data

from .petition_stream import event

ZONE = "Asia/Shanghai"
ANSWERED = datetime(2025, 3, 1, 2, 10, tzinfo=timezone.utc)          # 1 March, 10:10 in Shanghai
LAST_INSTANT = datetime(2025, 3, 31, 15, 59, 59, 999000, tzinfo=timezone.utc)  # 31 March, 23:59:59.999 local
WINDOW_SHUT = datetime(2025, 3, 31, 16, 0, tzinfo=timezone.utc)      # 1 April, 00:00 local
MS = timedelta(milliseconds=1)


def closed(review_round: int = 0, closed_at: datetime = ANSWERED, **more) -> dict:
    return {"_id": "pet-1", "status": "closed", "level": "village", "answer": {
        "outcome": "support", "answer": "已修复", "legal_basis": "第三十二条", "closed_at": closed_at,
        "on_time": True, "review_round": review_round}, **more}


def rate(petition: dict, now: datetime, days: int = 30):
    refusal = aftercare.may_rate(petition, now, days=days, zone=ZONE)
    return refusal.kind if refusal else None


def review(petition: dict, kind: str, now: datetime):
    refusal = aftercare.may_request_review(petition, kind, now, zone=ZONE)
    return refusal.kind if refusal else None


# --- the window -------------------------------------------------------------------------------

def test_a_30_day_window_closes_at_local_midnight_after_the_30th_day():
    assert aftercare.window_closes_at(ANSWERED, 30, ZONE) == WINDOW_SHUT


def test_exactly_30_days_after_the_answer_is_inside_and_the_next_local_day_is_outside():
    assert aftercare.within_window(ANSWERED, 30, ZONE, ANSWERED + timedelta(days=30))
    assert aftercare.within_window(ANSWERED, 30, ZONE, LAST_INSTANT)
    assert not aftercare.within_window(ANSWERED, 30, ZONE, WINDOW_SHUT)
    assert not aftercare.within_window(ANSWERED, 30, ZONE, ANSWERED + timedelta(days=31))


def test_the_local_day_of_the_answer_is_what_counts_not_the_utc_day():
    late_evening = datetime(2025, 3, 1, 15, 30, tzinfo=timezone.utc)   # 1 March 23:30 local
    after_midnight = datetime(2025, 3, 1, 16, 30, tzinfo=timezone.utc)  # 2 March 00:30 local, same UTC day
    assert aftercare.window_closes_at(late_evening, 30, ZONE) == WINDOW_SHUT
    assert aftercare.window_closes_at(after_midnight, 30, ZONE) == WINDOW_SHUT + timedelta(days=1)


# --- feedback ---------------------------------------------------------------------------------

def test_a_closed_petition_may_be_rated_until_the_window_closes():
    assert rate(closed(), ANSWERED + MS) is None
    assert rate(closed(), ANSWERED + timedelta(days=30)) is None
    assert rate(closed(), LAST_INSTANT) is None
    assert rate(closed(), WINDOW_SHUT) == "feedback-window-closed"


def test_the_feedback_window_is_the_setting():
    assert rate(closed(), ANSWERED + timedelta(days=7), days=7) is None
    assert rate(closed(), WINDOW_SHUT - timedelta(days=23), days=7) == "feedback-window-closed"
    assert rate(closed(), WINDOW_SHUT - timedelta(days=23) - MS, days=7) is None


@pytest.mark.parametrize("status", ["submitted", "assigned", "queued", "accepted", "in_progress", "escalated",
                                    "routed_out"])
def test_before_closure_there_is_nothing_to_rate(status):
    assert rate({"_id": "pet-1", "status": status, "answer": None}, ANSWERED) == "not-closed"


def test_a_petition_reopened_for_review_keeps_its_old_answer_but_is_not_closed():
    assert rate({**closed(), "status": "queued"}, ANSWERED + MS) == "not-closed"


def test_a_petition_is_rated_once_whatever_happens_next():
    rated = closed(feedback={"satisfaction": "satisfied"})
    assert rate(rated, ANSWERED + MS) == "already-rated"
    assert rate({**rated, "status": "queued"}, ANSWERED + MS) == "already-rated"
    assert rate(rated, WINDOW_SHUT) == "already-rated"


# --- review and re-review ---------------------------------------------------------------------

def test_a_review_follows_the_first_answer_within_30_days():
    assert review(closed(0), "review", ANSWERED + timedelta(days=30)) is None
    assert review(closed(0), "review", LAST_INSTANT) is None
    assert review(closed(0), "review", WINDOW_SHUT) == "review-window-closed"


def test_a_re_review_follows_the_review_answer_within_30_days_of_it():
    review_answer = ANSWERED + timedelta(days=45)
    assert review(closed(1, review_answer), "re_review", review_answer + timedelta(days=30)) is None
    shut = aftercare.window_closes_at(review_answer, 30, ZONE)
    assert review(closed(1, review_answer), "re_review", shut - MS) is None
    assert review(closed(1, review_answer), "re_review", shut) == "review-window-closed"


@pytest.mark.parametrize("held, kind", [(0, "re_review"), (1, "review")])
def test_the_wrong_round_is_not_possible_even_inside_the_window(held, kind):
    assert review(closed(held), kind, ANSWERED + MS) == "review-not-possible"


def test_the_wrong_round_is_told_before_a_closed_window():
    assert review(closed(0), "re_review", WINDOW_SHUT) == "review-not-possible"


@pytest.mark.parametrize("kind", ["review", "re_review"])
def test_after_the_re_review_answer_the_matter_is_final(kind):
    final = closed(2, final=True)
    assert aftercare.is_final(final)
    assert review(final, kind, ANSWERED + MS) == "review-not-possible"
    assert "Article 36" in aftercare.may_request_review(final, kind, ANSWERED + MS, zone=ZONE).detail


def test_the_round_alone_makes_a_matter_final():
    assert aftercare.is_final(closed(2))
    assert not aftercare.is_final(closed(1))
    assert not aftercare.is_final({"status": "submitted"})


@pytest.mark.parametrize("status", ["submitted", "accepted", "queued", "routed_out"])
def test_without_a_written_answer_in_hand_there_is_no_review(status):
    assert review({"_id": "pet-1", "status": status}, "review", ANSWERED) == "review-not-possible"
    assert review({**closed(), "status": status}, "review", ANSWERED + MS) == "review-not-possible"


def test_a_review_already_asked_for_is_not_asked_for_again_while_the_case_reopens():
    asked = closed(0, reviews=[{"kind": "review", "requested_at": ANSWERED + MS}])
    assert review(asked, "review", ANSWERED + 2 * MS) == "review-not-possible"


def test_an_unknown_kind_is_not_possible():
    assert review(closed(0), "appeal", ANSWERED + MS) == "review-not-possible"


def test_a_petition_without_a_round_holds_the_first_answer():
    legacy = closed()
    del legacy["answer"]["review_round"]
    assert aftercare.review_round(legacy) == 0
    assert review(legacy, "review", ANSWERED + MS) is None


# --- intake's event sequence ------------------------------------------------------------------

def test_intake_numbers_its_events_after_the_submission():
    assert aftercare.next_sequence(closed()) == 2
    assert aftercare.next_sequence(closed(feedback={"satisfaction": "satisfied"})) == 3
    assert aftercare.next_sequence(closed(feedback={"x": 1}, reviews=[{"kind": "review"}, {"kind": "re_review"}])) == 5


# --- what the petitioner reads ----------------------------------------------------------------

TEXTS = {
    "rated": {"satisfaction": "basically_satisfied"},
    "review_requested": {"review_kind": "re_review"},
    "review_closed": {"level": "township", "outcome": "not_support"},
    "re_review_closed": {"level": "league", "outcome": "explain"},
}


@pytest.mark.parametrize("kind", sorted(TEXTS))
def test_each_new_timeline_entry_reads_in_chinese_and_english_with_codes_named(kind):
    texts = messages.TEMPLATES[kind]
    for language in ("zh", "en"):
        assert {f for _, f, _, _ in string.Formatter().parse(texts[language]) if f} == set(TEXTS[kind])
    zh, en = (messages.render(kind, TEXTS[kind], language) for language in ("zh", "en"))
    assert not re.search(r"[A-Za-z]", zh), zh
    assert not re.search(r"[a-z]+_[a-z]+", en), en
    assert messages.render(kind, TEXTS[kind], "mn") == zh


def test_the_texts_name_the_articles_and_the_final_answer_says_it_is_final():
    assert "复核" in messages.render("review_requested", TEXTS["review_requested"], "zh")
    assert "a re-review" in messages.render("review_requested", TEXTS["review_requested"], "en")
    assert "第三十六条" in messages.render("review_closed", TEXTS["review_closed"], "zh")
    final = messages.render("re_review_closed", TEXTS["re_review_closed"], "zh")
    assert "盟" in final and "办理终结" in final and "不再受理" in final
    assert "final" in messages.render("re_review_closed", TEXTS["re_review_closed"], "en")


@pytest.mark.parametrize("review_round, kind, final", [(0, "closed", False), (1, "review_closed", False),
                                                       (2, "re_review_closed", True)])
def test_an_answer_records_its_round_and_the_re_reviews_makes_the_matter_final(review_round, kind, final):
    closed_event = event("petition.closed", 3, review_round=review_round)
    step = STEPS["petition.closed"](validate_data(closed_event), Moment(closed_event.occurred_at, ZONE))
    assert step.fields["answer"]["review_round"] == review_round
    assert step.fields.get("final", False) is final
    assert step.entry["kind"] == kind
    assert step.entry["params"] == {"level": "township", "outcome": "support"}
