"""intake's writes after the answer (feedback, review requests) and the look-up of final matters.

Each write is one guarded single-document update: the state it was decided on (closed, with the same
answer, not yet rated or not yet asked for, the same version) is part of the filter, and its timeline
entry and event go in by the same update (the outbox is inside the petition). Of two concurrent
requests, one matches and the other matches nothing."""
from __future__ import annotations

from datetime import datetime

from pymongo import ReturnDocument

from shared import outbox
from shared.events import Event

from .similarity import petition_text, similarity
from .store import PETITIONS

HIDDEN = {"outbox": 0, "applied": 0, "outbox_lease": 0}


def _guard(petition: dict) -> dict:
    return {"_id": petition["_id"], "version": petition["version"], "status": "closed",
            "answer.closed_at": petition["answer"]["closed_at"]}


def _update(fields: dict, push: dict, event: Event, at: datetime) -> dict:
    return outbox.with_events({"$set": {**fields, "updated_at": at}, "$push": push}, [event])


def record_feedback(db, petition: dict, feedback: dict, entry: dict, event: Event, at: datetime) -> dict | None:
    """Store the feedback, its timeline entry and ``petition.rated``; None when the petition changed
    since it was read (rated meanwhile, reopened, or another write)."""
    guard = {**_guard(petition), "feedback": {"$exists": False}}
    return db[PETITIONS].find_one_and_update(guard, _update({"feedback": feedback}, {"timeline": entry}, event, at),
                                             return_document=ReturnDocument.AFTER)


def record_review_request(db, petition: dict, review: dict, entry: dict, event: Event,
                          at: datetime) -> dict | None:
    """Append the review request, its timeline entry and ``petition.review_requested``; None when the
    petition changed since it was read."""
    guard = {**_guard(petition), "reviews.kind": {"$ne": review["kind"]}}
    return db[PETITIONS].find_one_and_update(guard, _update({}, {"timeline": entry, "reviews": review}, event, at),
                                             return_document=ReturnDocument.AFTER)


def final_matter_for(db, petitioner_ref: str, division: str, text: str, threshold: float) -> dict | None:
    """The petitioner's final petition (re-reviewed and answered, 条例 第三十六条) in the same village
    whose text is most alike ``text``, if that likeness is at or above ``threshold``: the stored petition,
    with ``similarity`` (0–1) added. None when there is none."""
    best: tuple[float, dict] | None = None
    for petition in db[PETITIONS].find({"petitioner_ref": petitioner_ref, "division": division, "final": True},
                                       HIDDEN):
        score = similarity(text, petition_text(petition))
        if score >= threshold and (best is None or score > best[0]):
            best = (score, petition)
    if best is None:
        return None
    return {**best[1], "similarity": round(best[0], 4)}
