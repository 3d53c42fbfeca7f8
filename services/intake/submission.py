"""Filing a petition: build the document (personal data sealed), refuse duplicates and final matters
unless confirmed, and insert it with its petition.submitted event in one write. Used by the online
and the offline (agent) routes alike."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from shared.events import new_event
from shared.http import Problem, field_error
from shared.http.idempotency import reused
from shared.privacy import FieldCipher

from . import aftercare, aftercare_store, agent_choice, domain, personal, similarity, store, tracking

PERSONAL_FIELDS = ("contact", "group")


@dataclass
class Filing:
    petition: dict
    replayed: bool = False
    tracking_code: str | None = None


def file_petition(ctx, body: dict, petitioner_ref: str, key: str | None, causation_id: str,
                  entry: dict | None = None) -> Filing:
    # an agent's keys belong to the agent: the same key for another herder is a reuse, not a new filing
    key_owner = None if entry is not None else petitioner_ref
    if key:
        earlier = store.find_by_idempotency_key(ctx.db, key_owner, key)
        if earlier is not None:
            return _replay(ctx, earlier, body)
    agent_choice.check_preferred_agent(ctx.db, body.get("preferred_agent_id"), body["division"])
    _refuse_final_matter(ctx, body, petitioner_ref)
    duplicate = _possible_duplicate(ctx, body, petitioner_ref)
    petition, code = _build(ctx, body, petitioner_ref, key, entry, duplicate)
    try:
        store.insert_petition(ctx.db, petition, [_submitted_event(petition, causation_id)])
    except store.DuplicateIdempotencyKey:
        return _replay(ctx, store.find_by_idempotency_key(ctx.db, key_owner, key), body)
    ctx.nudge_relay(store.PETITIONS, petition["_id"])
    return Filing(petition, tracking_code=code)


def _replay(ctx, earlier: dict, body: dict) -> Filing:
    if earlier.get("request_fingerprint") != domain.fingerprint(body):
        raise reused()
    code = FieldCipher(ctx.settings).decrypt(earlier["tracking"]["sealed"]) if earlier.get("tracking") else None
    return Filing(earlier, replayed=True, tracking_code=code)


def _possible_duplicate(ctx, body: dict, petitioner_ref: str) -> dict | None:
    text = similarity.petition_text(body)
    best = max(((similarity.similarity(text, similarity.petition_text(p)), p)
                for p in store.open_petitions_of(ctx.db, petitioner_ref, body["division"])),
               default=(0.0, None), key=lambda pair: pair[0])
    if best[0] < ctx.settings.duplicate_threshold:
        return None
    link = {"id": best[1]["_id"], "number": best[1]["number"], "status": best[1]["status"],
            "similarity": round(best[0], 2)}
    if not body.get("confirm_not_duplicate"):
        raise Problem(409, "possible-duplicate",
                      "an open petition of yours in this village looks like the same matter: follow it, or send "
                      "the petition again with confirm_not_duplicate: true to file it anyway",
                      errors=[field_error("confirm_not_duplicate", "a similar open petition exists")],
                      possible_duplicate_of=link)
    return link


def _refuse_final_matter(ctx, body: dict, petitioner_ref: str) -> None:
    final = aftercare_store.final_matter_for(ctx.db, petitioner_ref, body["division"],
                                             similarity.petition_text(body), ctx.settings.duplicate_threshold)
    if final is not None:
        raise Problem(409, "matter-final", aftercare.FINAL_MATTER["en"],
                      errors=[field_error("description", "same matter as a finally answered petition")],
                      final_petition={"id": final["_id"], "number": final["number"]})


def _build(ctx, body: dict, ref: str, key: str | None, entry: dict | None,
           duplicate: dict | None) -> tuple[dict, str | None]:
    now = ctx.clock()
    now = now.replace(microsecond=now.microsecond // 1000 * 1000)  # what BSON keeps: answer = stored = event
    zone, banner = ctx.settings.timezone, body["division"][:6]
    dates = domain.statutory_dates(now, zone)
    number = domain.petition_number(banner, now, zone, store.next_serial(ctx.db, banner, domain.local_day(now, zone)))
    cipher = FieldCipher(ctx.settings)
    public = {k: v for k, v in body.items() if k not in PERSONAL_FIELDS + ("confirm_not_duplicate", "entry")}
    petition = {
        "_id": domain.new_petition_id(), "number": number, "status": domain.SUBMITTED, **public,
        "petitioner_ref": ref, "received_at": now, "updated_at": now,
        "deadlines": {"receipt_notice_due": dates.receipt_notice_due.isoformat(),
                      "handling_due": dates.handling_due.isoformat()},
        "assigned_agent": None, "level": None, "timeline": domain.received_entries(now, dates),
        "contact": personal.seal_person(cipher, body["contact"]) if body.get("contact") else None,
        "group": _seal_group(cipher, body.get("group")), "possible_duplicate_of": duplicate,
        "idempotency_key": key, "request_fingerprint": domain.fingerprint(body) if key else None,
    }
    code = None
    if entry is not None:
        code = tracking.new_code()
        petition["entry"] = {**entry, "at": now}
        petition["entered_by"] = entry["by"]
        petition["tracking"] = {"hash": tracking.code_hash(ctx.settings.secret, number, code),
                                "sealed": cipher.encrypt(code)}
    return petition, code


def _seal_group(cipher: FieldCipher, group: dict | None) -> dict | None:
    if not group:
        return None
    return {"size": group["size"], "representatives": [personal.seal_person(cipher, p) for p in group["representatives"]]}


def _submitted_event(petition: dict, causation_id: str):
    return new_event("petition.submitted", {
        "petition_id": petition["_id"], "number": petition["number"], "category": petition["category"],
        "channel": petition["channel"], "language": petition["language"], "subject": petition["subject"],
        "petitioner_ref": petition["petitioner_ref"], "preferred_agent_id": petition["preferred_agent_id"],
        "received_at": petition["received_at"],
        "deadlines": {k: date.fromisoformat(v) for k, v in petition["deadlines"].items()},
    }, division=petition["division"], correlation_id=petition["_id"], causation_id=causation_id)
