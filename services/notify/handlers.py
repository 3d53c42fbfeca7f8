"""notify turns events into notifications for the people concerned."""
from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from shared.privacy import subject_ref

from . import domain, store

log = logging.getLogger(__name__)


class PetitionerNotYetKnown(RuntimeError):
    """No petition.assigned has told notify who the petitioner is (yet); retried, then dead-lettered."""


def build(ctx):
    notifier = _Notifier(ctx)
    handlers = {name: notifier.to_petitioner for name in domain.PETITIONER_NOTICES}
    handlers.update({name: notifier.to_holding_agent for name in domain.AGENT_CLOCK_NOTICES})
    handlers.update({"petition.assigned": notifier.on_assigned, "assignment.queued": notifier.on_queued})
    return handlers


class _Notifier:
    def __init__(self, ctx):
        self.ctx = ctx
        self.zone = ZoneInfo(ctx.settings.timezone)

    def on_assigned(self, event, data):
        store.remember_recipient(self.ctx.db, data["petition_id"], data["petitioner_ref"], data["agent"]["id"],
                                 event.sequence)
        agent_ref = subject_ref(self.ctx.settings, data["agent"]["id"])
        for notice in domain.on_petition_assigned(data, agent_ref, self._local(data["first_contact_due"])):
            self._send(event, data, notice)

    def on_queued(self, event, data):
        """The event carries the petitioner's reference: queued before any assignment still reaches them."""
        self._send(event, data, domain.to_petitioner(event.type, data, data["petitioner_ref"]))

    def to_petitioner(self, event, data):
        recipient = store.recipient(self.ctx.db, data["petition_id"])
        if recipient is None:
            raise PetitionerNotYetKnown(data["petition_id"])
        self._send(event, data, domain.to_petitioner(event.type, data, recipient["petitioner_ref"]))

    def to_holding_agent(self, event, data):
        if data["agent_id"] is None:
            log.info("%s: no agent holds the petition", event.type)
            return
        agent_ref = subject_ref(self.ctx.settings, data["agent_id"])
        self._send(event, data, domain.to_holding_agent(event.type, data, agent_ref, self._local(data["due_at"])))

    def _local(self, at) -> str:
        return at.astimezone(self.zone).strftime("%Y-%m-%d %H:%M")

    def _send(self, event, data, notice: domain.Notice) -> None:
        added = store.insert_once(self.ctx.db, {
            "_id": f"{event.id}:{notice.audience}", "recipient_ref": notice.recipient_ref,
            "audience": notice.audience, "template": notice.template, "params": notice.params,
            "petition_id": data["petition_id"], "channel": "in_app", "read": False,
            "created_at": self.ctx.clock(), "source_event": event.id,
        })
        log.info("%s: %s notice %s", event.type, notice.audience, "added" if added else "already there")
