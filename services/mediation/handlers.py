"""mediation opens a case when a mediation is requested."""
from __future__ import annotations

from . import store


def build(ctx):
    def on_requested(event, data):
        store.open_case(ctx.db, {
            "_id": f"med-{event.id}", "petition_id": data["petition_id"], "division": event.division,
            "kind": data["kind"], "requested_by": data["requested_by"], "note": data["note"],
            "status": "requested", "requested_at": event.occurred_at, "version": 1,
        })

    return {"mediation.requested": on_requested}
