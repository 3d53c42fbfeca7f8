"""assignment reacts to new petitions (match them) and to review requests (reopen a level up)."""
from __future__ import annotations

import logging

from . import service, workflow

log = logging.getLogger(__name__)

PETITION_FIELDS = ("number", "category", "subject", "language", "petitioner_ref", "preferred_agent_id",
                   "received_at", "channel")


def build(ctx):
    def on_submitted(event, data):
        petition = {"_id": data["petition_id"], "division": event.division, "banner": event.banner,
                    **{name: data.get(name) for name in PETITION_FIELDS}}
        petition["petition_number"] = petition.pop("number")
        created = service.open_for(ctx, petition, event.id)
        log.info("petition.submitted %s", "opened" if created else "already handled")

    def on_review_requested(event, data):
        doc = service.load(ctx, data["petition_id"])
        if doc["review_round"] >= {"review": 1, "re_review": 2}[data["kind"]]:
            log.info("review request already applied")
            return
        try:
            step = workflow.request_review(doc, data["kind"], data["requested_at"],
                                           service.policy_for(ctx.settings, doc["division"]))
        except workflow.WorkflowError as exc:
            log.warning("review request refused: %s", exc.detail)
            return
        service.commit(ctx, doc, step, "petitioner", event.id)

    return {"petition.submitted": on_submitted, "petition.review_requested": on_review_requested}
