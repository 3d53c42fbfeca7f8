"""notify turns events into notifications for the people concerned."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from shared.privacy import subject_ref

from . import domain, store


def build(ctx):
    zone = ZoneInfo(ctx.settings.timezone)

    def on_assigned(event, data):
        due = data["first_contact_due"].astimezone(zone).strftime("%Y-%m-%d %H:%M")
        agent_ref = subject_ref(ctx.settings, data["agent"]["id"])
        for notice in domain.on_petition_assigned(data, agent_ref, due):
            store.insert_once(ctx.db, {
                "_id": f"{event.id}:{notice.audience}", "recipient_ref": notice.recipient_ref,
                "audience": notice.audience, "template": notice.template, "params": notice.params,
                "petition_id": data["petition_id"], "channel": "in_app", "read": False,
                "created_at": ctx.clock(), "source_event": event.id,
            })

    return {"petition.assigned": on_assigned}
