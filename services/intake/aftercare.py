"""After the answer: rating it (结果反馈), asking for review (复查) and re-review (复核), and when a matter
is final. Pure rules over the stored petition, with ``now`` given: no Flask, no pymongo, no clock.

Windows are counted in calendar days, in local time, as the law counts them: the day of the answer is
not counted, and the last day ends at 24:00 (民法典 第二百零一、二百零三条). So a window of 30 days
after an answer given on 1 March, 10:10 closes at 1 April 00:00 local time — exactly 30 days after the
answer is always still inside it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

REVIEW_WINDOW_DAYS = 30          # 信访工作条例 第三十五条 (复查), 第三十六条 (复核): to ask for it
REVIEW_ANSWER_DAYS = 30          # the same articles: for the level above to answer it
REVIEW_KINDS = ("review", "re_review")
ROUND_BEFORE = {"review": 0, "re_review": 1}   # the answer a request is about: 0 first answer, 1 review answer
FINAL_ROUND = 2                                # the re-review answer: the matter is final (第三十六条)
CLOSED = "closed"

FINAL_MATTER = {
    "zh": "该事项已经复核，办理终结。依照《信访工作条例》第三十六条，信访人对复核意见不服，仍以同一事实和理由"
          "提出投诉请求的，不再受理。",
    "en": "This matter was re-reviewed and is final. Under Article 36 of the Regulations on Petition Work, "
          "the same claim on the same facts and reasons is not accepted again.",
}


@dataclass(frozen=True)
class Refusal:
    """Why not, as a stable problem type (``kind``), a sentence, and the field at fault."""
    kind: str
    detail: str
    field: str


def window_closes_at(answered_at: datetime, days: int, zone: str) -> datetime:
    """The first instant outside a window of ``days`` calendar days after an answer: 24:00 local time
    of the ``days``-th day after the day of the answer."""
    local_zone = ZoneInfo(zone)
    answered_on = answered_at.astimezone(local_zone).date()
    return datetime.combine(answered_on + timedelta(days=days + 1), time(0), tzinfo=local_zone)


def within_window(answered_at: datetime, days: int, zone: str, now: datetime) -> bool:
    return now < window_closes_at(answered_at, days, zone)


def answer_of(petition: dict) -> dict | None:
    return petition.get("answer") or None


def review_round(petition: dict) -> int:
    """Which answer the petition holds: 0 the first, 1 the review's, 2 the re-review's."""
    return int((answer_of(petition) or {}).get("review_round") or 0)


def is_final(petition: dict) -> bool:
    """Re-reviewed and answered: the matter is closed for good (第三十六条)."""
    return bool(petition.get("final")) or review_round(petition) >= FINAL_ROUND


def is_closed(petition: dict) -> bool:
    return petition.get("status") == CLOSED and answer_of(petition) is not None


def may_rate(petition: dict, now: datetime, *, days: int, zone: str) -> Refusal | None:
    """None when the petitioner may rate the result now: once, after closure, within ``days``."""
    if petition.get("feedback"):
        return Refusal("already-rated", "the result of this petition was already rated; feedback is given once",
                       "petition_id")
    if not is_closed(petition):
        return Refusal("not-closed", "the petition is not closed yet; feedback is given on the written answer",
                       "petition_id")
    if not within_window(answer_of(petition)["closed_at"], days, zone, now):
        return Refusal("feedback-window-closed",
                       f"feedback is given within {days} days of the answer; that time has passed", "petition_id")
    return None


def requested(petition: dict, kind: str) -> bool:
    return any(entry.get("kind") == kind for entry in petition.get("reviews") or [])


def may_request_review(petition: dict, kind: str, now: datetime, *, zone: str) -> Refusal | None:
    """None when a review (复查, after the first answer) or a re-review (复核, after the review answer)
    may be asked for now, within 30 days of that answer."""
    if kind not in ROUND_BEFORE:
        return Refusal("review-not-possible", f"kind is one of {', '.join(REVIEW_KINDS)}", "kind")
    if is_final(petition):
        return Refusal("review-not-possible", FINAL_MATTER["en"], "kind")
    if not is_closed(petition):
        return Refusal("review-not-possible", "a review is asked for about a written answer; this petition has "
                                              "none yet or is being handled again", "kind")
    held = review_round(petition)
    if held != ROUND_BEFORE[kind]:
        detail = ("a re-review (复核) is asked for about the review answer; ask for a review (复查) first "
                  "(条例 第三十六条)") if kind == "re_review" else (
                  "the review (复查) was answered; what remains is a re-review (复核) (条例 第三十六条)")
        return Refusal("review-not-possible", detail, "kind")
    if requested(petition, kind):
        return Refusal("review-not-possible", f"a {kind.replace('_', '-')} was already asked for; the petition is "
                                              "being reopened at the level above", "kind")
    if not within_window(answer_of(petition)["closed_at"], REVIEW_WINDOW_DAYS, zone, now):
        article = "第三十五条" if kind == "review" else "第三十六条"
        return Refusal("review-window-closed",
                       f"a {kind.replace('_', '-')} is asked for within {REVIEW_WINDOW_DAYS} days of the written "
                       f"answer (条例 {article}); that time has passed", "kind")
    return None


def next_sequence(petition: dict) -> int:
    """The sequence of intake's next event about this petition: petition.submitted was 1, then one per
    rating and per review request (the only other events intake emits about a petition)."""
    return 2 + (1 if petition.get("feedback") else 0) + len(petition.get("reviews") or [])
