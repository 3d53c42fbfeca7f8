"""intake's wiring: the public gateway for the mini-program and the web portal."""
from shared.runtime import ServiceSpec

from . import (aftercare_api, agent_choice, agents_api, api, directory_store, handlers, policies, store, tracking_api,
               tracking_store)
from .attachments import api as attachments_api
from .attachments import store as attachments_store
from .policies import api as policies_api
from .policies import store as policies_store

SPEC = ServiceSpec(
    name="intake", title="Daiban intake",
    description="The public gateway for the mini-program, the web portal and agents: petitions online and "
                "offline, tracking codes, agents to choose from, policy and law lookup, feedback, review.",
    blueprints=(api.blp, tracking_api.blp, agents_api.blp, aftercare_api.blp, attachments_api.blp, policies_api.blp),
    indexes={**store.INDEXES,
             store.PETITIONS: [*store.INDEXES[store.PETITIONS], *agent_choice.PETITION_INDEXES],
             **directory_store.INDEXES, **tracking_store.INDEXES, **attachments_store.INDEXES,
             **policies_store.INDEXES},
    outbox_collections=(store.PETITIONS,),
    handlers=handlers.build, on_start=policies.on_start,
)
